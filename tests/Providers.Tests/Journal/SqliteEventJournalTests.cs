using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserData.Providers.Journal;
using UserData.Providers.Sqlite.Journal;
using UserData.TestSupport;

namespace UserData.Providers.Tests.Journal;

/// <summary>The store contract on a real SQLite file, plus what is SQLite's own: the rows, group commit, the write lock.</summary>
public sealed partial class SqliteEventJournalStoreTests : EventJournalStoreContract
{
    private SqliteJournalBackend Sqlite => (SqliteJournalBackend)Backend;

    [Fact]
    public async Task Events_are_readable_rows_with_a_commit_order_position_their_type_write_time_and_append_id()
    {
        var (first, second) = (NewStream(), NewStream());
        var append = Append(first, 1, 1, 2);
        await Store.AppendAsync(append);
        await Store.AppendAsync(Append(second, 1, 3));
        await Store.AppendAsync(Append(first, 3, 4));

        await using var connection = await Sqlite.OpenRawAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT position, stream, seq, type, written_at, append_id, typeof(data), data FROM journal_events ORDER BY position";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long Position, string Stream, long Seq, string Type, string WrittenAt, string AppendId, string DataType, string Data)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        }

        Assert.Equal([(first, 1L), (first, 2L), (second, 1L), (first, 3L)], rows.Select(row => (row.Stream, row.Seq)));
        Assert.Equal(rows.Select(row => row.Position).Order(), rows.Select(row => row.Position));
        Assert.Equal(rows.Count, rows.Select(row => row.Position).Distinct().Count());
        Assert.Equal([Json(1), Json(2), Json(3), Json(4)], rows.Select(row => row.Data));
        Assert.All(rows, row => Assert.Equal(("noted", "text"), (row.Type, row.DataType)));
        Assert.All(rows, row => Assert.Matches(IsoUtcMilliseconds(), row.WrittenAt));
        Assert.Equal([append.AppendId, append.AppendId], rows.Take(2).Select(row => row.AppendId));
        Assert.NotEqual(append.AppendId, rows[2].AppendId);
    }

    [Fact]
    public async Task Concurrent_appends_to_256_streams_share_transactions()
    {
        var store = await Sqlite.OpenAsync(Path.Combine(Path.GetDirectoryName(Sqlite.DatabasePath)!, "batched.db"));
        var streams = Enumerable.Range(0, 256).Select(_ => NewStream()).ToList();

        var results = await Task.WhenAll(streams.Select((stream, i) => store.AppendAsync(Append(stream, 1, i))));

        Assert.All(results, result => Assert.Equal(AppendResult.Appended, result));
        Assert.InRange(store.CommitCount, 1, 255);
        for (var i = 0; i < streams.Count; i++)
        {
            Assert.Equal([Json(i)], (await store.ReadAsync(streams[i], 0, long.MaxValue, 10, CancellationToken.None)).Select(e => e.Text()));
        }
    }

    [Fact]
    public async Task With_a_batch_size_of_1_every_write_commits_on_its_own()
    {
        var store = await Sqlite.OpenAsync(Path.Combine(Path.GetDirectoryName(Sqlite.DatabasePath)!, "unbatched.db"), maxBatchSize: 1);

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => store.AppendAsync(Append(NewStream(), 1, i))));

        Assert.Equal(64, store.CommitCount);
    }

    [Fact]
    public async Task A_conflicting_append_is_rolled_back_alone_and_the_rest_of_its_transaction_commits()
    {
        var store = await Sqlite.OpenAsync(Path.Combine(Path.GetDirectoryName(Sqlite.DatabasePath)!, "conflicts.db"));
        var streams = Enumerable.Range(0, 256).Select(_ => NewStream()).ToList();
        var winners = new List<Task<AppendResult>>();
        var losers = new List<Task<AppendResult>>();

        for (var i = 0; i < streams.Count; i++)
        {
            // The winner takes seq 2; the loser, queued right behind it, writes seq 1 and then collides on seq 2,
            // so its savepoint must undo the seq 1 it already wrote.
            winners.Add(store.AppendAsync(Append(streams[i], 2, i)));
            if (i % 8 == 0)
            {
                losers.Add(store.AppendAsync(Append(streams[i], 1, -1, -2)));
            }
        }

        Assert.All(await Task.WhenAll(winners), result => Assert.Equal(AppendResult.Appended, result));
        Assert.All(await Task.WhenAll(losers), result => Assert.Equal(AppendResult.Conflict, result));

        // Fewer transactions than losers: at least one loser shared its transaction with appends that committed.
        Assert.InRange(store.CommitCount, 1, losers.Count - 1);
        for (var i = 0; i < streams.Count; i++)
        {
            var events = await store.ReadAsync(streams[i], 0, long.MaxValue, 10, CancellationToken.None);
            Assert.Equal([(2L, Json(i))], events.Select(e => (e.Seq, e.Text())));
        }
    }

    [Fact]
    public async Task Stopping_commits_what_is_queued_and_then_refuses_writes_and_reads()
    {
        var path = Path.Combine(Path.GetDirectoryName(Sqlite.DatabasePath)!, "drain.db");
        var store = await Sqlite.OpenAsync(path);
        var streams = Enumerable.Range(0, 200).Select(_ => NewStream()).ToList();
        var appends = streams.Select((stream, i) => store.AppendAsync(Append(stream, 1, i))).ToList();

        await store.StopAsync(CancellationToken.None);

        Assert.All(appends, append => Assert.True(append.IsCompletedSuccessfully));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.AppendAsync(Append(NewStream(), 1, 1)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ReadAsync(streams[0], 0, long.MaxValue, 10, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CheckHealthAsync(CancellationToken.None));
        var reopened = await Sqlite.OpenAsync(path);
        for (var i = 0; i < streams.Count; i++)
        {
            Assert.Equal([Json(i)], (await reopened.ReadAsync(streams[i], 0, long.MaxValue, 10, CancellationToken.None)).Select(e => e.Text()));
        }
    }

    [Fact]
    public async Task A_transaction_that_cannot_get_the_write_lock_fails_its_writes_and_the_writer_recovers()
    {
        var store = new SqliteEventJournalStore(
            new SqliteEventJournalOptions { Path = Sqlite.DatabasePath, BusyTimeout = TimeSpan.FromSeconds(1) },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SqliteEventJournalStore>.Instance);
        await using var stopping = store;
        await store.StartAsync(CancellationToken.None);
        await using var other = await Sqlite.OpenRawAsync();
        await ExecuteAsync(other, "BEGIN IMMEDIATE");
        var streams = Enumerable.Range(0, 3).Select(_ => NewStream()).ToList();

        var appends = streams.Select(stream => store.AppendAsync(Append(stream, 1, 1))).ToList();
        foreach (var append in appends)
        {
            Assert.Equal(5, (await Assert.ThrowsAsync<SqliteException>(() => append)).SqliteErrorCode); // SQLITE_BUSY
        }

        await ExecuteAsync(other, "ROLLBACK");
        foreach (var stream in streams)
        {
            Assert.Empty(await store.ReadAsync(stream, 0, long.MaxValue, 10, CancellationToken.None));
            Assert.Equal(AppendResult.Appended, await store.AppendAsync(Append(stream, 1, 2)));
        }

        await store.CheckHealthAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_health_check_fails_until_the_writer_runs()
    {
        await using var store = new SqliteEventJournalStore(
            new SqliteEventJournalOptions { Path = Sqlite.DatabasePath }, Microsoft.Extensions.Logging.Abstractions.NullLogger<SqliteEventJournalStore>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.CheckHealthAsync(CancellationToken.None));

        Assert.Contains("not running", error.Message, StringComparison.Ordinal);
    }

    protected override Task<JournalBackend> CreateBackendAsync() => Task.FromResult<JournalBackend>(new SqliteJournalBackend());

    internal static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex IsoUtcMilliseconds();
}

/// <summary>The grain contract on a real SQLite file, plus a write that waits out a locked file.</summary>
public sealed class SqliteJournaledGrainTests : JournaledGrainContract
{
    private SqliteJournalBackend Sqlite => (SqliteJournalBackend)Backend;

    [Fact]
    public async Task While_another_process_locks_the_file_a_write_retries_and_completes_once_the_lock_is_released()
    {
        var logs = new CapturedLogs();
        await using var cluster = await StartClusterAsync(
            options => ((SqliteEventJournalOptions)options).BusyTimeout = TimeSpan.FromSeconds(1),
            silo => silo.Services.AddSingleton<ILoggerProvider>(logs));
        var grain = cluster.Tally(NewKey());
        await grain.GetAsync();
        var locker = await Sqlite.OpenRawAsync();
        await SqliteEventJournalStoreTests.ExecuteAsync(locker, "BEGIN EXCLUSIVE");

        var add = grain.TryAddAsync(["waited"]);
        await Eventually.TrueAsync(
            () => logs.Entries.Count(entry => entry.Level == LogLevel.Warning && Equals(entry.Fields.GetValueOrDefault("Operation"), "append")) >= 2,
            because: "the append is retried while the file is locked");
        Assert.False(add.IsCompleted);
        await locker.DisposeAsync();

        Assert.True(await add);
        var view = await grain.GetAsync();
        Assert.Equal(1, view.Version);
        Assert.Equal(["waited"], view.Entries);
        Assert.True(view.ConnectionIssues >= 2);
        Assert.Equal(["waited"], (await ReadAllAsync(grain)).Select(EntryOf));
    }

    [Theory]
    [InlineData(nameof(SqliteEventJournalOptions.BusyTimeout), "BusyTimeout must be between 1 second and 1 hour")]
    [InlineData(nameof(SqliteEventJournalOptions.Path), "Path must name the SQLite database file")]
    [InlineData(nameof(SqliteEventJournalOptions.MaxBatchSize), "MaxBatchSize must be between 1 and 100000")]
    public async Task An_invalid_SQLite_setting_stops_the_silo_with_a_message_naming_it(string setting, string message)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartClusterAsync(options =>
        {
            var sqlite = (SqliteEventJournalOptions)options;
            switch (setting)
            {
                case nameof(SqliteEventJournalOptions.BusyTimeout):
                    sqlite.BusyTimeout = TimeSpan.Zero;
                    break;
                case nameof(SqliteEventJournalOptions.Path):
                    sqlite.Path = " ";
                    break;
                default:
                    sqlite.MaxBatchSize = 0;
                    break;
            }
        }));

        Assert.Contains($"Event journal '{JournalBackend.ProviderName}' (SqliteEventJournalOptions): {message}", error.ToString(), StringComparison.Ordinal);
    }

    protected override Task<JournalBackend> CreateBackendAsync() => Task.FromResult<JournalBackend>(new SqliteJournalBackend());
}
