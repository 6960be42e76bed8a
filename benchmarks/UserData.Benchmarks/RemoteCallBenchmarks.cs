using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserData.Runtime.Cluster;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;

namespace UserData.Benchmarks;

/// <summary>
/// Grain calls from silo A to grains it owns (local) and to grains silo B owns (remote: signed HTTP/2 on loopback,
/// JSON both ways), in one run. Two silos in this process, with membership in memory instead of DynamoDB so that only
/// the call path is measured. "Sequential" is one caller awaiting each call (latency); "Concurrent" is 64 callers
/// (throughput).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class RemoteCallBenchmarks
{
    private const int GrainCount = 200;
    private const int SequentialCalls = 2_000;
    private const int ConcurrentCallers = 64;
    private const int CallsPerConcurrentCaller = 200;

    private WebApplication _a = null!;
    private WebApplication _b = null!;
    private IPingGrain[] _local = null!;
    private IPingGrain[] _remote = null!;

    /// <summary>Active grains silo A owns (after <see cref="SetupAsync"/>).</summary>
    internal IReadOnlyList<IPingGrain> LocalGrains => _local;

    /// <summary>Active grains silo B owns, called from silo A.</summary>
    internal IReadOnlyList<IPingGrain> RemoteGrains => _remote;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var table = new InMemoryMembershipTable();
        _a = await StartSiloAsync(table);
        _b = await StartSiloAsync(table);
        var membership = _a.Services.GetRequiredService<IClusterMembership>();
        while (membership.View.Silos.Count < 2)
        {
            await Task.Delay(50);
        }

        var factory = _a.Services.GetRequiredService<IGrainFactory>();
        var keys = Enumerable.Range(0, GrainCount * 4).Select(i => $"ping-{i}").ToList();
        bool OwnedByA(string key) => membership.View.Owner(new GrainId("ping", key))!.SiloId == membership.LocalSiloId;
        _local = [.. keys.Where(OwnedByA).Take(GrainCount).Select(key => factory.GetGrain<IPingGrain>(key))];
        _remote = [.. keys.Where(key => !OwnedByA(key)).Take(GrainCount).Select(key => factory.GetGrain<IPingGrain>(key))];
        foreach (var grain in _local.Concat(_remote))
        {
            await grain.PingAsync(0);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _a.StopAsync();
        await _b.StopAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = SequentialCalls)]
    public Task<int> LocalSequential() => Sequential(_local);

    [Benchmark(OperationsPerInvoke = SequentialCalls)]
    public Task<int> RemoteSequential() => Sequential(_remote);

    [Benchmark(OperationsPerInvoke = ConcurrentCallers * CallsPerConcurrentCaller)]
    public Task LocalConcurrent() => Concurrent(_local);

    [Benchmark(OperationsPerInvoke = ConcurrentCallers * CallsPerConcurrentCaller)]
    public Task RemoteConcurrent() => Concurrent(_remote);

    private static async Task<int> Sequential(IPingGrain[] grains)
    {
        var sum = 0;
        for (var i = 0; i < SequentialCalls; i++)
        {
            sum += await grains[i % grains.Length].PingAsync(i).ConfigureAwait(false);
        }

        return sum;
    }

    private static Task Concurrent(IPingGrain[] grains) =>
        Task.WhenAll(Enumerable.Range(0, ConcurrentCallers).Select(caller => Task.Run(async () =>
        {
            var sum = 0;
            for (var i = 0; i < CallsPerConcurrentCaller; i++)
            {
                sum += await grains[(i + caller * 7) % grains.Length].PingAsync(i).ConfigureAwait(false);
            }

            return sum;
        })));

    private static async Task<WebApplication> StartSiloAsync(InMemoryMembershipTable table)
    {
        var builder = WebApplication.CreateBuilder(
        [
            $"--urls=http://127.0.0.1:{FreePort()}",
            "--Cluster:Provider=DynamoDB",
            "--Cluster:Secret=benchmark-secret-0123456789",
            "--Cluster:AdvertisedAddress=127.0.0.1",
            $"--Cluster:SiloPort={FreePort()}",
            "--Cluster:HeartbeatInterval=00:00:01",
        ]);
        builder.Logging.ClearProviders();
        builder.Services.AddGrainRuntime(builder.Configuration).AddGrain<IPingGrain, PingGrain>();
        await builder.AddClusterSiloAsync();
        builder.Services.AddSingleton<IMembershipTable>(table); // replaces the DynamoDB table: only the call path is measured
        var app = builder.Build();
        app.UseSiloPort();
        await app.StartAsync();
        return app;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The membership table's conditions, in memory.</summary>
    private sealed class InMemoryMembershipTable : IMembershipTable
    {
        private readonly ConcurrentDictionary<string, MembershipEntry> _rows = new();

        public Task<IReadOnlyList<MembershipEntry>> ReadAllAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MembershipEntry>>([.. _rows.Values]);

        public Task InsertAsync(MembershipEntry entry, CancellationToken cancellationToken) =>
            _rows.TryAdd(entry.SiloId, entry) ? Task.CompletedTask : throw new InvalidOperationException("exists");

        public Task<bool> RenewAsync(MembershipEntry entry, CancellationToken cancellationToken)
        {
            lock (_rows)
            {
                if (!_rows.TryGetValue(entry.SiloId, out var row) || row.Status == SiloStatus.Dead)
                {
                    return Task.FromResult(false);
                }

                _rows[entry.SiloId] = entry;
                return Task.FromResult(true);
            }
        }

        public Task<bool> DeclareDeadAsync(string siloId, DateTimeOffset observedHeartbeat, CancellationToken cancellationToken)
        {
            lock (_rows)
            {
                if (!_rows.TryGetValue(siloId, out var row) || row.Heartbeat != observedHeartbeat || row.Status == SiloStatus.Dead)
                {
                    return Task.FromResult(false);
                }

                _rows[siloId] = row with { Status = SiloStatus.Dead };
                return Task.FromResult(true);
            }
        }

        public Task DeleteDeadAsync(string siloId, CancellationToken cancellationToken)
        {
            lock (_rows)
            {
                if (_rows.TryGetValue(siloId, out var row) && row.Status == SiloStatus.Dead)
                {
                    _rows.TryRemove(siloId, out _);
                }
            }

            return Task.CompletedTask;
        }
    }
}
