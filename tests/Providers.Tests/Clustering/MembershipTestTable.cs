using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using UserData.Providers.DynamoDB.Clustering;
using UserData.Providers.Tests.DynamoDB;
using UserData.TestSupport;

namespace UserData.Providers.Tests.Clustering;

/// <summary>A membership table of its own on the shared DynamoDB Local, and the providers and entries tests need.</summary>
internal sealed class MembershipTestTable : IDisposable
{
    private static int s_generation;

    private MembershipTestTable(AmazonDynamoDBClient client, string serviceUrl)
    {
        Client = client;
        ServiceUrl = serviceUrl;
    }

    public AmazonDynamoDBClient Client { get; }

    public string ServiceUrl { get; }

    public string TableName { get; } = DynamoDbLocal.NewTablePrefix() + "membership";

    public string ClusterId { get; } = "cluster-" + Guid.NewGuid().ToString("N")[..8];

    public static async Task<MembershipTestTable> CreateAsync()
    {
        var server = await DynamoDbLocal.Shared;
        return new MembershipTestTable(await DynamoDBLocalClient.CreateAsync(), server.ServiceUrl);
    }

    /// <summary>A membership table of <paramref name="clusterId"/> (default: this one's), initialized with a version row.</summary>
    public async Task<DynamoDBMembershipTable> MembershipAsync(string? clusterId = null)
    {
        var table = Membership(clusterId);
        await table.InitializeMembershipTableAsync(true, CancellationToken.None);
        return table;
    }

    public DynamoDBMembershipTable Membership(
        string? clusterId = null, Action<DynamoDBClusteringOptions>? configure = null, IAmazonDynamoDB? injected = null) =>
        new(Services(injected), Options(configure), Cluster(clusterId), NullLogger<DynamoDBMembershipTable>.Instance);

    public DynamoDBGatewayListProvider GatewayList(Action<DynamoDBClusteringOptions>? configure = null, IAmazonDynamoDB? injected = null) =>
        new(Services(injected), Options(configure), Cluster(null), Microsoft.Extensions.Options.Options.Create(new GatewayOptions()),
            NullLogger<DynamoDBGatewayListProvider>.Instance);

    public void Configure(DynamoDBClusteringOptions options)
    {
        options.ServiceUrl = ServiceUrl;
        options.Region = DynamoDbLocal.Region;
        options.TableName = TableName;
    }

    /// <summary>The first page of a plain DynamoDB query of this cluster's partition, bypassing the provider.</summary>
    public Task<QueryResponse> FirstPageOfClusterAsync() => Client.QueryAsync(new QueryRequest
    {
        TableName = TableName,
        KeyConditionExpression = "#c = :c",
        ExpressionAttributeNames = new() { ["#c"] = "cluster" },
        ExpressionAttributeValues = new() { [":c"] = new AttributeValue { S = ClusterId } },
    });

    /// <summary>A Joining silo on loopback with a generation no other entry of this test process has.</summary>
    public static MembershipEntry NewEntry(SiloStatus status = SiloStatus.Joining, int siloPort = 11111, int proxyPort = 30000)
    {
        var now = DateTime.UtcNow;
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, siloPort, Interlocked.Increment(ref s_generation)),
            Status = status,
            ProxyPort = proxyPort,
            HostName = "test-host",
            SiloName = "test-silo-" + s_generation,
            StartTime = now,
            IAmAliveTime = now,
        };
    }

    /// <summary>A copy of <paramref name="entry"/> with <paramref name="change"/> applied.</summary>
    public static MembershipEntry Copy(MembershipEntry entry, Action<MembershipEntry> change)
    {
        var copy = new MembershipEntry
        {
            SiloAddress = entry.SiloAddress,
            Status = entry.Status,
            SuspectTimes = entry.SuspectTimes is null ? null : [.. entry.SuspectTimes],
            ProxyPort = entry.ProxyPort,
            HostName = entry.HostName,
            SiloName = entry.SiloName,
            RoleName = entry.RoleName,
            UpdateZone = entry.UpdateZone,
            FaultZone = entry.FaultZone,
            StartTime = entry.StartTime,
            IAmAliveTime = entry.IAmAliveTime,
        };
        change(copy);
        return copy;
    }

    public void Dispose() => Client.Dispose();

    private static ServiceProvider Services(IAmazonDynamoDB? injected)
    {
        var services = new ServiceCollection();
        if (injected is not null)
        {
            services.AddSingleton(injected);
        }

        return services.BuildServiceProvider();
    }

    private IOptions<DynamoDBClusteringOptions> Options(Action<DynamoDBClusteringOptions>? configure)
    {
        var options = new DynamoDBClusteringOptions();
        Configure(options);
        configure?.Invoke(options);
        return Microsoft.Extensions.Options.Options.Create(options);
    }

    private IOptions<ClusterOptions> Cluster(string? clusterId) =>
        Microsoft.Extensions.Options.Options.Create(new ClusterOptions { ClusterId = clusterId ?? ClusterId, ServiceId = "userdata-tests" });
}
