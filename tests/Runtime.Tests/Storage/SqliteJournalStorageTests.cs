using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;
using UserData.Runtime.Storage.Sqlite;

namespace UserData.Runtime.Tests.Storage;

/// <summary>The journal contract on a real SQLite file, plus what is specific to SQLite: durability, WAL, group commit.</summary>
public sealed partial class SqliteJournalStorageTests : JournalStorageContract, IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly List<SqliteJournalStorage> _opened = [];
    private SqliteJournalStorage? _storage;

    protected override IJournalStorage Storage => _storage ?? throw new InvalidOperationException("Opened in InitializeAsync.");

    private string DatabasePath => _directory.File("journal.db");

    public Task InitializeAsync()
    {
        _storage = Open();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var storage in _opened)
        {
            await storage.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public void Provider_is_sqlite()
    {
        Assert.Equal("sqlite", Storage.Provider);
    }

    [Fact]
    public async Task Events_and_snapshots_survive_closing_and_reopening_the_file()
    {
        var grain = NewGrain();
        await Storage.AppendAsync(grain, 0, [Json(1), Json(2)]);
        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(2, """{"total":3}"""));
        await _opened[0].DisposeAsync();

        var reopened = Open();

        Assert.Equal([Json(1), Json(2)], (await reopened.ReadAsync(grain, 0, 10)).Select(e => e.Json));
        Assert.Equal(new StoredSnapshot(2, """{"total":3}"""), await reopened.ReadSnapshotAsync(grain));
        await Assert.ThrowsAsync<JournalConflictException>(() => reopened.AppendAsync(grain, 1, [Json(3)]));
    }

    [Fact]
    public async Task The_database_is_in_WAL_mode()
    {
        await using var connection = await OpenRawAsync(DatabasePath);

        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Events_are_stored_as_readable_text_with_ISO_8601_UTC_timestamps()
    {
        var grain = new GrainId("user", "ada");
        await Storage.AppendAsync(grain, 0, [Json(1)]);

        await using var connection = await OpenRawAsync(DatabasePath);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT typeof(data), data, written_at FROM events WHERE grain = 'user/ada' AND seq = 1";
        await using var reader = await command.ExecuteReaderAsync();

        Assert.True(await reader.ReadAsync());
        Assert.Equal("text", reader.GetString(0));
        Assert.Equal(Json(1), reader.GetString(1));
        Assert.Matches(IsoUtcMilliseconds(), reader.GetString(2));
    }

    [Fact]
    public async Task The_folder_of_the_database_is_created_when_missing()
    {
        var path = Path.Combine(_directory.Path, "missing", "nested", "journal.db");

        var storage = Open(path);
        await storage.AppendAsync(NewGrain(), 0, [Json(1)]);

        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Concurrent_appends_of_256_grains_share_transactions()
    {
        var storage = Open(_directory.File("batched.db"));
        var grains = Enumerable.Range(0, 256).Select(_ => NewGrain()).ToList();

        await Task.WhenAll(grains.Select((grain, i) => storage.AppendAsync(grain, 0, [Json(i)])));

        Assert.InRange(storage.CommitCount, 1, 255);
        for (var i = 0; i < grains.Count; i++)
        {
            Assert.Equal([Json(i)], (await storage.ReadAsync(grains[i], 0, 10)).Select(e => e.Json));
        }
    }

    [Fact]
    public async Task With_a_batch_size_of_1_every_append_commits_on_its_own()
    {
        var storage = Open(_directory.File("unbatched.db"), maxBatchSize: 1);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => storage.AppendAsync(NewGrain(), 0, [Json(i)])));

        Assert.Equal(64, storage.CommitCount);
    }

    [Fact]
    public async Task A_conflicting_append_fails_alone_and_the_rest_of_its_batch_commits()
    {
        var storage = Open(_directory.File("conflicts.db"));
        var grains = Enumerable.Range(0, 256).Select(_ => NewGrain()).ToList();
        var winners = new List<Task>();
        var losers = new List<Task>();

        for (var i = 0; i < grains.Count; i++)
        {
            // The winner takes seq 2; the loser, queued right behind it, writes seq 1 and then collides on seq 2,
            // so its savepoint must undo the seq 1 it already wrote.
            winners.Add(storage.AppendAsync(grains[i], 1, [Json(i)]));
            if (i % 8 == 0)
            {
                losers.Add(storage.AppendAsync(grains[i], 0, [Json(-1), Json(-2)]));
            }
        }

        await Task.WhenAll(winners);
        foreach (var loser in losers)
        {
            await Assert.ThrowsAsync<JournalConflictException>(() => loser);
        }

        // Fewer transactions than losers: at least one loser shared its transaction with appends that committed.
        Assert.InRange(storage.CommitCount, 1, losers.Count - 1);
        for (var i = 0; i < grains.Count; i++)
        {
            var events = await storage.ReadAsync(grains[i], 0, 10);
            Assert.Equal([(2L, Json(i))], events.Select(e => (e.Seq, e.Json)));
        }
    }

    [Fact]
    public async Task Disposing_commits_what_is_queued_before_closing()
    {
        var storage = Open(_directory.File("drain.db"));
        var grains = Enumerable.Range(0, 200).Select(_ => NewGrain()).ToList();
        var appends = grains.Select((grain, i) => storage.AppendAsync(grain, 0, [Json(i)])).ToList();

        await storage.DisposeAsync();

        Assert.All(appends, append => Assert.True(append.IsCompletedSuccessfully));
        var reopened = Open(_directory.File("drain.db"));
        for (var i = 0; i < grains.Count; i++)
        {
            Assert.Equal([Json(i)], (await reopened.ReadAsync(grains[i], 0, 10)).Select(e => e.Json));
        }
    }

    [Fact]
    public async Task A_disposed_storage_refuses_writes_and_reads()
    {
        var storage = Open(_directory.File("disposed.db"));
        await storage.DisposeAsync();
        await storage.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.AppendAsync(NewGrain(), 0, [Json(1)]));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.ReadAsync(NewGrain(), 0, 10));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => storage.CheckHealthAsync());
    }

    [Fact]
    public async Task A_transaction_that_cannot_get_the_write_lock_fails_its_appends_and_the_writer_recovers()
    {
        var storage = Open(_directory.File("locked.db"), busyTimeout: TimeSpan.FromSeconds(1));
        await using var other = await OpenRawAsync(_directory.File("locked.db"));
        await ScalarAsync(other, "BEGIN IMMEDIATE");
        var grains = Enumerable.Range(0, 3).Select(_ => NewGrain()).ToList();

        var appends = grains.Select(grain => storage.AppendAsync(grain, 0, [Json(1)])).ToList();
        foreach (var append in appends)
        {
            var busy = await Assert.ThrowsAsync<SqliteException>(() => append);
            Assert.Equal(5, busy.SqliteErrorCode); // SQLITE_BUSY
        }

        await ScalarAsync(other, "ROLLBACK");
        foreach (var grain in grains)
        {
            Assert.Empty(await storage.ReadAsync(grain, 0, 10));
            await storage.AppendAsync(grain, 0, [Json(2)]);
            Assert.Equal([Json(2)], (await storage.ReadAsync(grain, 0, 10)).Select(e => e.Json));
        }

        await storage.CheckHealthAsync();
    }

    [Fact]
    public async Task An_append_cancelled_before_it_is_queued_writes_nothing()
    {
        var grain = NewGrain();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Storage.AppendAsync(grain, 0, [Json(1)], cancelled.Token));

        Assert.Empty(await Storage.ReadAsync(grain, 0, 10));
    }

    [Fact]
    public async Task Invalid_arguments_are_rejected()
    {
        var grain = NewGrain();

        await Assert.ThrowsAsync<ArgumentNullException>(() => Storage.AppendAsync(grain, 0, null!));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.AppendAsync(grain, 0, []));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.AppendAsync(grain, 0, [Json(1), ""]));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.AppendAsync(grain, 0, [null!]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Storage.AppendAsync(grain, -1, [Json(1)]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Storage.AppendAsync(grain, long.MaxValue, [Json(1)]));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.AppendAsync(default, 0, [Json(1)]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Storage.ReadAsync(grain, 0, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Storage.ReadAsync(grain, -1, 10));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Storage.WriteSnapshotAsync(grain, null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Storage.WriteSnapshotAsync(grain, new StoredSnapshot(-1, "{}")));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.WriteSnapshotAsync(grain, new StoredSnapshot(1, "")));
        Assert.Empty(await Storage.ReadAsync(grain, 0, 10));
    }

    [Theory]
    [InlineData("", 512, 5)]
    [InlineData("x.db", 0, 5)]
    [InlineData("x.db", 512, 0)]
    public void Invalid_options_are_rejected(string path, int maxBatchSize, int busyTimeoutSeconds)
    {
        var options = new SqliteJournalOptions
        {
            Path = path,
            MaxBatchSize = maxBatchSize,
            BusyTimeout = TimeSpan.FromSeconds(busyTimeoutSeconds),
        };

        var error = Assert.Throws<ArgumentException>(
            () => new SqliteJournalStorage(Options.Create(options), NullLogger<SqliteJournalStorage>.Instance));
        Assert.Contains(nameof(SqliteJournalOptions), error.Message, StringComparison.Ordinal);
    }

    private static GrainId NewGrain() => new("sqlite", Guid.NewGuid().ToString("N"));

    private static string Json(int n) => $$"""{"type":"noted","n":{{n}}}""";

    private static async Task<SqliteConnection> OpenRawAsync(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex IsoUtcMilliseconds();

    private SqliteJournalStorage Open(string? path = null, int maxBatchSize = 512, TimeSpan? busyTimeout = null)
    {
        var options = new SqliteJournalOptions
        {
            Path = path ?? DatabasePath,
            MaxBatchSize = maxBatchSize,
            BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(5),
        };
        var storage = new SqliteJournalStorage(Options.Create(options), NullLogger<SqliteJournalStorage>.Instance);
        _opened.Add(storage);
        return storage;
    }
}
