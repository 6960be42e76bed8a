using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserData.Runtime.Cluster;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Hosting;

namespace UserData.Runtime.Tests.Cluster;

/// <summary>A membership table whose connection the test can cut, as a network partition would.</summary>
internal sealed class PartitionableTable(IMembershipTable inner) : IMembershipTable
{
    private volatile bool _cut;

    public void Cut() => _cut = true;

    public void Restore() => _cut = false;

    public Task<IReadOnlyList<MembershipEntry>> ReadAllAsync(CancellationToken cancellationToken) =>
        _cut ? Refused<IReadOnlyList<MembershipEntry>>() : inner.ReadAllAsync(cancellationToken);

    public Task InsertAsync(MembershipEntry entry, CancellationToken cancellationToken) =>
        _cut ? Refused<bool>() : inner.InsertAsync(entry, cancellationToken);

    public Task<bool> RenewAsync(MembershipEntry entry, CancellationToken cancellationToken) =>
        _cut ? Refused<bool>() : inner.RenewAsync(entry, cancellationToken);

    public Task<bool> DeclareDeadAsync(string siloId, DateTimeOffset observedHeartbeat, CancellationToken cancellationToken) =>
        _cut ? Refused<bool>() : inner.DeclareDeadAsync(siloId, observedHeartbeat, cancellationToken);

    public Task DeleteDeadAsync(string siloId, CancellationToken cancellationToken) =>
        _cut ? Refused<bool>() : inner.DeleteDeadAsync(siloId, cancellationToken);

    private static Task<T> Refused<T>() => Task.FromException<T>(new HttpRequestException("partitioned from the membership table"));
}

/// <summary>A silo's membership (and its catalog) in this process, on a shared table.</summary>
internal sealed class MembershipSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private MembershipSilo(IHost host, PartitionableTable table)
    {
        _host = host;
        Table = table;
    }

    public PartitionableTable Table { get; }

    public IClusterMembership Membership => _host.Services.GetRequiredService<IClusterMembership>();

    public CancellationToken ApplicationStopping => _host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    public static ClusterOptions FastOptions() => new()
    {
        Provider = ClusterProvider.DynamoDB,
        Secret = "a-test-secret-of-some-length",
        // Short, yet with a lease (1.4 s) that a busy 2-core test machine renews within.
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        SuspicionTimeout = TimeSpan.FromSeconds(2),
        SelfFenceMargin = TimeSpan.FromMilliseconds(600),
        DeadRowRetention = TimeSpan.FromSeconds(2),
    };

    public static async Task<MembershipSilo> StartAsync(IMembershipTable table, string address, ClusterOptions? options = null)
    {
        var partitionable = new PartitionableTable(table);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrainRuntime();
        builder.Services.AddSingleton(Options.Create(options ?? FastOptions()));
        builder.Services.AddSingleton<IMembershipTable>(partitionable);
        builder.Services.AddSingleton(new SiloIdentity(address));
        builder.Services.AddSingleton<MembershipService>();
        builder.Services.AddSingleton<IClusterMembership>(provider => provider.GetRequiredService<MembershipService>());
        builder.Services.AddHostedService(provider => provider.GetRequiredService<MembershipService>());
        var host = builder.Build();
        await host.StartAsync();
        return new MembershipSilo(host, partitionable);
    }

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Table.Restore();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}
