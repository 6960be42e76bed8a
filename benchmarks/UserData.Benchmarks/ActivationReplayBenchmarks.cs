using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UserData.JournalWriter;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;
using UserData.Runtime.Journal;
using UserData.Runtime.Storage.Sqlite;
using UserData.Runtime.Testing;

namespace UserData.Benchmarks;

/// <summary>
/// First call to a journaled grain whose journal holds <see cref="Events"/> events and no snapshot:
/// activation, SQLite reads and replay. Each invocation activates a grain never activated before.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 5, iterationCount: 60, invocationCount: 1)]
public class ActivationReplayBenchmarks
{
    // More grains than warm-up plus measured invocations, so every invocation is a first activation.
    private const int Grains = 100;

    private string _folder = null!;
    private TestCluster _cluster = null!;
    private int _next;

    [Params(0, 1_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("userdata-replay-").FullName;
        var options = Options.Create(new SqliteJournalOptions { Path = Path.Combine(_folder, "replay.db") });
        var storage = new SqliteJournalStorage(options, NullLogger<SqliteJournalStorage>.Instance);
        var events = Enumerable.Range(1, Events).Select(n => $$"""{"type":"entry.added","entry":"entry number {{n}}"}""").ToList();
        for (var grain = 0; grain < Grains && events.Count > 0; grain++)
        {
            await storage.AppendAsync(new GrainId("tally", $"replay-{grain}"), 0, events);
        }

        _cluster = await TestCluster.StartAsync(1, services =>
        {
            services.AddSingleton<IJournalStorage>(storage);
            new GrainRuntimeBuilder(services).AddGrain<ITallyGrain, TallyGrain>();
        });
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public Task<TallySnapshot> ActivateAndReplay() =>
        _cluster.GrainFactory.GetGrain<ITallyGrain>($"replay-{_next++}").GetAsync();
}
