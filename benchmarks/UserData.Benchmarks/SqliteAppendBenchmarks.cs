using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using UserData.Benchmarks.Support;
using UserData.Grains;
using UserData.Grains.Users;
using UserData.Providers.Sqlite.Journal;

namespace UserData.Benchmarks;

/// <summary>
/// Acknowledged (durable) journal appends per second on an SQLite file on the local disk: 256 user grains each change
/// their profile at once (one event each), as 256 busy users would; each call answers once its event is on disk.
/// The SQLite journal's group commit lets the appends waiting for a commit share one transaction and one fsync; the
/// baseline (<c>MaxBatchSize = 1</c>) commits every append in its own. One operation is one append, so Op/s reads appends/s.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
[MemoryDiagnoser]
[Config(typeof(AppendsPerSecondConfig))]
public class SqliteAppendBenchmarks
{
    private const int Grains = 256;

    private readonly Task[] _appends = new Task[Grains];
    private string? _folder;
    private BenchmarkSilo? _silo;
    private IUserGrain[] _users = [];
    private int _round;

    [GlobalSetup(Target = nameof(OneTransactionPerAppend))]
    public Task SetUpOneTransactionPerAppendAsync() => SetUpAsync(maxBatchSize: 1);

    [GlobalSetup(Target = nameof(GroupCommit))]
    public Task SetUpGroupCommitAsync() => SetUpAsync(new SqliteEventJournalOptions().MaxBatchSize);

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        if (_folder is not null)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Grains)]
    public Task OneTransactionPerAppend() => AppendOneEventPerGrain();

    [Benchmark(OperationsPerInvoke = Grains)]
    public Task GroupCommit() => AppendOneEventPerGrain();

    private Task AppendOneEventPerGrain()
    {
        var round = ++_round;
        for (var i = 0; i < Grains; i++)
        {
            _appends[i] = BenchmarkUsers.RenameAsync(_users[i], round);
        }

        return Task.WhenAll(_appends);
    }

    private async Task SetUpAsync(int maxBatchSize)
    {
        // The temp folder is on the local disk here; a tmpfs would make fsync free and the comparison meaningless.
        _folder = Directory.CreateTempSubdirectory("userdata-bench-appends-").FullName;
        _silo = await BenchmarkSilo.StartAsync(
            Path.Combine(_folder, "userdata.db"),
            services => services.Configure<SqliteEventJournalOptions>(ProviderNames.Journal, options => options.MaxBatchSize = maxBatchSize));
        _users = await Task.WhenAll(Enumerable.Range(0, Grains).Select(i => BenchmarkUsers.RegisterAsync(_silo.Grains, $"appender-{i}")));
    }

    private sealed class AppendsPerSecondConfig : ManualConfig
    {
        public AppendsPerSecondConfig() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
