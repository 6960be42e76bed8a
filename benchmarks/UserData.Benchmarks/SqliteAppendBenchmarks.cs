using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UserData.Runtime.Grains;
using UserData.Runtime.Storage.Sqlite;

namespace UserData.Benchmarks;

/// <summary>
/// Acknowledged (durable) journal appends per second on a SQLite file on the local disk: 256 grains each append one
/// event at once, as 256 busy activations would. Group commit shares one fsync among the waiting appends; the
/// baseline commits every append in its own transaction. One operation is one append, so Op/s reads appends/s.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
[MemoryDiagnoser]
[Config(typeof(AppendsPerSecondConfig))]
public class SqliteAppendBenchmarks
{
    private const int Grains = 256;

    private static readonly string[] Event = ["""{"type":"profile_updated","field":"display_name","value":"Ada Lovelace"}"""];

    private readonly GrainId[] _grains = Enumerable.Range(0, Grains).Select(i => new GrainId("user", $"bench-{i}")).ToArray();
    private readonly long[] _versions = new long[Grains];
    private readonly Task[] _appends = new Task[Grains];
    private DirectoryInfo? _directory;
    private SqliteJournalStorage? _storage;

    [GlobalSetup(Target = nameof(OneTransactionPerAppend))]
    public void SetUpOneTransactionPerAppend() => SetUp(maxBatchSize: 1);

    [GlobalSetup(Target = nameof(GroupCommit))]
    public void SetUpGroupCommit() => SetUp(new SqliteJournalOptions().MaxBatchSize);

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync().ConfigureAwait(false);
        }

        _directory?.Delete(recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Grains)]
    public Task OneTransactionPerAppend() => AppendOneEventPerGrain();

    [Benchmark(OperationsPerInvoke = Grains)]
    public Task GroupCommit() => AppendOneEventPerGrain();

    private Task AppendOneEventPerGrain()
    {
        var storage = _storage!;
        for (var i = 0; i < Grains; i++)
        {
            _appends[i] = storage.AppendAsync(_grains[i], _versions[i]++, Event);
        }

        return Task.WhenAll(_appends);
    }

    private void SetUp(int maxBatchSize)
    {
        // The temp folder is on the local disk here; a tmpfs would make fsync free and the comparison meaningless.
        _directory = Directory.CreateTempSubdirectory("userdata-bench-");
        var options = new SqliteJournalOptions
        {
            Path = Path.Combine(_directory.FullName, "journal.db"),
            MaxBatchSize = maxBatchSize,
        };
        _storage = new SqliteJournalStorage(Options.Create(options), NullLogger<SqliteJournalStorage>.Instance);
    }

    private sealed class AppendsPerSecondConfig : ManualConfig
    {
        public AppendsPerSecondConfig() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
