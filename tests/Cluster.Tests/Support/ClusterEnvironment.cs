using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UserData.Cluster.Tests.Grains;
using UserData.Runtime.Cluster;
using UserData.Runtime.Hosting;
using UserData.Runtime.Storage.DynamoDB;
using UserData.TestSupport;

namespace UserData.Cluster.Tests.Support;

/// <summary>
/// A dynalite, and the configuration of one cluster on it (its own table prefix and cluster id, short membership
/// timings): the arguments a silo process gets, and an in-process pure gateway (a cluster client) to call grains.
/// </summary>
public sealed class ClusterEnvironment : IAsyncLifetime
{
    public const string Secret = "cluster-tests-secret-0123456789";

    private static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(0, 32).Select(index => (byte)index).ToArray());

    private DynaliteServer? _dynalite;
    private AmazonDynamoDBClient? _client;

    public string ServiceUrl => (_dynalite ?? throw new InvalidOperationException("Not started.")).ServiceUrl;

    public string TablePrefix { get; } = $"c{Guid.NewGuid():N}-";

    public string ClusterId { get; } = "test-" + Guid.NewGuid().ToString("N")[..8];

    public IAmazonDynamoDB DynamoDb => _client ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        // Credentials for the SDK's default chain, so that no process probes for an instance role.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "test");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "test");
        _dynalite = await DynaliteServer.StartAsync();
        _client = new AmazonDynamoDBClient(
            new BasicAWSCredentials("test", "test"), new AmazonDynamoDBConfig { ServiceURL = ServiceUrl, AuthenticationRegion = "us-east-1" });
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_dynalite is not null)
        {
            await _dynalite.DisposeAsync();
        }
    }

    public DynamoDbJournalStorage JournalStorage() =>
        new(DynamoDb, new DynamoDbJournalOptions { TablePrefix = TablePrefix }, NullLogger<DynamoDbJournalStorage>.Instance);

    /// <summary>Configuration shared by silos and clients, as <c>--key=value</c> arguments.</summary>
    public IEnumerable<string> Settings() =>
    [
        "--Storage:Provider=DynamoDB",
        $"--Storage:DynamoDB:ServiceUrl={ServiceUrl}",
        $"--Storage:DynamoDB:TablePrefix={TablePrefix}",
        "--Cluster:Provider=DynamoDB",
        $"--Cluster:ClusterId={ClusterId}",
        $"--Cluster:Secret={Secret}",
        "--Cluster:AdvertisedAddress=127.0.0.1",
        "--Cluster:HeartbeatInterval=00:00:00.250",
        "--Cluster:SuspicionTimeout=00:00:02",
        "--Cluster:SelfFenceMargin=00:00:00.500",
        "--Logging:LogLevel:Default=Warning",
    ];

    public IEnumerable<string> SiloSettings(int siloPort) =>
        Settings().Append($"--Cluster:SiloPort={siloPort.ToString(CultureInfo.InvariantCulture)}");

    public IEnumerable<string> SiloArguments(int httpPort, int siloPort) =>
        SiloSettings(siloPort).Append($"--urls=http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>
    /// A pure gateway process (<c>Gateway:CoHostSilo=false</c>): signing and email keys as required outside local SQLite, cheap
    /// password hashing and no registration limit, so that hundreds of users register in seconds.
    /// </summary>
    public IEnumerable<string> GatewaySettings() =>
        Settings().Concat([
            "--Gateway:CoHostSilo=false",
            $"--Auth:SigningKey={SigningKey}",
            $"--Auth:EmailKey={SigningKey}",
            "--Auth:PasswordHasher:IterationCount=1000",
            "--RateLimits:RegisterPerMinute=1000000",
        ]);

    /// <summary>A pure gateway in this process: no silo, every call goes to its owner over the silo port.</summary>
    public async Task<IHost> StartClientAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddCommandLine([.. Settings()]);
        builder.Logging.ClearProviders();
        builder.Services.AddGrainRuntime(builder.Configuration).AddGrain<ILedgerGrain, LedgerGrain>();
        builder.AddClusterClient();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
