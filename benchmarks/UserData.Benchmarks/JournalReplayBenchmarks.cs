using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using UserData.Benchmarks.Support;
using UserData.Grains;
using UserData.Grains.Requests;
using UserData.Grains.Users;
using UserData.Providers.Sqlite.Journal;

namespace UserData.Benchmarks;

/// <summary>
/// The first call to a user whose SQLite journal holds <see cref="Events"/> events and no snapshot: activation of the
/// journaled user grain, reading the journal, JSON deserialization and replay of every event, then the read
/// (<c>GetProfileAsync</c>). The baseline is a user holding only its registration. Every invocation activates a user
/// never activated before.
/// </summary>
/// <remarks>
/// The users' journals are written through the grains by one silo; the snapshots it stores at deactivation are then
/// deleted, and a second silo on the same file measures. Both take a snapshot only every 10,000 events.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 5, iterationCount: 40, invocationCount: 1)]
public class JournalReplayBenchmarks
{
    // More users than the jitting, warm-up and measured invocations together.
    private const int Users = 60;
    private const int SnapshotInterval = 10_000;

    private string _folder = null!;
    private BenchmarkSilo _silo = null!;
    private string[] _userIds = [];
    private int _next;

    /// <summary>Events in each user's journal, the registration included.</summary>
    [Params(1, 1_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _folder = Directory.CreateTempSubdirectory("userdata-bench-replay-").FullName;
        var database = Path.Combine(_folder, "userdata.db");
        await using (var writer = await StartSiloAsync(database))
        {
            _userIds = await Task.WhenAll(Enumerable.Range(0, Users).Select(user => WriteJournalAsync(writer.Grains, user)));
        }

        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var deleteSnapshots = connection.CreateCommand();
            deleteSnapshots.CommandText = "DELETE FROM journal_snapshots";
            await deleteSnapshots.ExecuteNonQueryAsync();
            await using var count = connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM journal_events WHERE stream LIKE 'user/%' GROUP BY stream HAVING COUNT(*) <> $events";
            count.Parameters.AddWithValue("$events", Events);
            if (await count.ExecuteScalarAsync() is not null)
            {
                throw new InvalidOperationException($"A user's journal does not hold exactly {Events} events.");
            }
        }

        _silo = await StartSiloAsync(database);
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        await _silo.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public Task<UserProfile> ActivateAndRead()
    {
        var user = _next++;
        return user < Users
            ? _silo.Grains.GetGrain<IUserGrain>(_userIds[user]).GetProfileAsync()
            : throw new InvalidOperationException($"Only {Users} users were prepared: raise {nameof(Users)}.");
    }

    private static Task<BenchmarkSilo> StartSiloAsync(string database) =>
        BenchmarkSilo.StartAsync(database, services =>
            services.Configure<SqliteEventJournalOptions>(ProviderNames.Journal, options => options.SnapshotInterval = SnapshotInterval));

    /// <summary>
    /// A busy user's history: its registration, then tasks created, tasks renamed and profile changes in turn.
    /// Returns the user's id.
    /// </summary>
    private async Task<string> WriteJournalAsync(IGrainFactory grains, int index)
    {
        var user = await BenchmarkUsers.RegisterAsync(grains, $"replay-{index}");
        string? lastTask = null;
        for (var n = 1; n < Events; n++)
        {
            switch (n % 3)
            {
                case 1:
                    var metadata = new TaskMetadataRequest($"category {n % 7}", [$"tag{n % 5}", $"label{n % 11}"]);
                    var created = await user.CreateTaskAsync(new TaskRequest($"task {n}", $"Description of task {n}", "archived", null, metadata), null, BenchmarkUsers.Request);
                    lastTask = created.Value.Id;
                    break;
                case 2:
                    await user.PatchTaskAsync(lastTask!, new PatchTaskRequest { Name = new Optional<string>($"task {n} renamed") }, null, BenchmarkUsers.Request);
                    break;
                default:
                    await BenchmarkUsers.RenameAsync(user, n);
                    break;
            }
        }

        return user.GetPrimaryKeyString();
    }
}
