using System.Globalization;
using Microsoft.Data.Sqlite;
using UserData.Lake.Export;
using UserData.Lake.Storage;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Lake;

/// <summary>
/// The lake worker in silo processes (<c>dotnet UserData.Silo.dll</c>, <c>Lake__Enabled=true</c>) on one SQLite journal
/// of 20,000 events: killed with SIGKILL three times between writing a batch's file and committing its checkpoint (the
/// test holds SQLite's write lock, so the commit waits), each restart writes that batch again and the lake ends with
/// every event once; two workers on one journal, one exports and the other stands by until the first is killed, then
/// takes over within the lease time. Compaction is off (an interval of a day), so a doubled row would stay visible.
/// </summary>
public sealed class LakeWorkerProcessTests : IAsyncLifetime
{
    private const int Users = 50;
    private const int EventsPerUser = 400;
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);

    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-lake-worker-").FullName;

    private string Database => Path.Combine(_folder, "userdata.db");

    private string LakeFolder => Path.Combine(_folder, "lake");

    public Task InitializeAsync()
    {
        WriteJournal();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_worker_killed_between_writing_a_batch_and_committing_it_writes_that_batch_again_and_the_lake_holds_each_event_once()
    {
        BatchInFlight? killedIn = null;
        for (var kill = 0; kill < 3; kill++)
        {
            await using var silo = await StartSiloAsync();

            // Looked for at once: an idle machine's worker exports the rest of the journal within a second of its start.
            var batch = await CatchABatchInFlightAsync(killedThrough: killedIn?.Through);
            if (killedIn is not null)
            {
                await Eventually.TrueAsync(
                    () => silo.Output.Contains($"writing again the batch after {killedIn.After} through {killedIn.Through}", StringComparison.Ordinal),
                    because: "the restarted worker writing the killed batch again");
            }

            await using (batch.Lock)
            {
                // The worker wrote the batch's file; its checkpoint commit now waits on the lock the test holds.
                await Eventually.TrueAsync(() => batch.FileWritten, because: $"the file of the batch through {batch.Through}");
                await silo.KillAsync();
            }

            var checkpoint = Checkpoint();
            Assert.Equal(batch.After, checkpoint.Position);
            Assert.Equal(batch.Through, checkpoint.Pending);
            killedIn = batch;
        }

        await using (await StartSiloAsync())
        {
            await Eventually.TrueAsync(
                async () => await LakeDistinctKeysAsync() == Users * EventsPerUser, TimeSpan.FromSeconds(90), "every event in the lake");
        }

        var counts = await LakeReader.RowsAsync(new FolderLakeStorage(LakeFolder), "SELECT count(*), count(DISTINCT (user_id, seq)) FROM events");
        Assert.Equal([$"{Users * EventsPerUser}\t{Users * EventsPerUser}"], counts);
    }

    [Fact]
    public async Task Of_two_workers_one_exports_the_other_stands_by_and_takes_over_within_the_lease_time_when_the_first_is_killed()
    {
        await using var first = await StartSiloAsync();
        await Eventually.TrueAsync(() => Checkpoint().Owner is not null, because: "the first worker holds the lease");
        var firstOwner = Checkpoint().Owner;
        await using var second = await StartSiloAsync();
        await Eventually.TrueAsync(() => second.Output.Contains("stands by", StringComparison.Ordinal), because: "the second worker standing by");
        Assert.Equal(firstOwner, Checkpoint().Owner);

        await first.KillAsync();
        await Eventually.TrueAsync(
            () => Checkpoint().Owner is { } owner && owner != firstOwner,
            LeaseDuration * 2 + TimeSpan.FromSeconds(2),
            "the second worker takes the lease over");
        await Eventually.TrueAsync(() => second.Output.Contains("Took the lease on journal over", StringComparison.Ordinal), because: "the takeover's log line");
        await Eventually.TrueAsync(async () => await LakeRowsAsync() == Users * EventsPerUser, TimeSpan.FromSeconds(90), "every event in the lake");
    }

    private Task<HostProcess> StartSiloAsync() => HostProcess.StartAsync("UserData.Silo.dll", new Dictionary<string, string>
    {
        ["Storage__Sqlite__Path"] = Database,
        ["Cluster__SiloPort"] = LoopbackPort.Next().ToString(CultureInfo.InvariantCulture),
        ["Cluster__GatewayPort"] = LoopbackPort.Next().ToString(CultureInfo.InvariantCulture),
        ["Lake__Enabled"] = "true",
        ["Lake__Path"] = LakeFolder,
        // 800 batches: the export lasts long enough for a test starved by a busy machine to catch one in flight.
        ["Lake__MaxBatchEvents"] = "25",
        ["Lake__PollInterval"] = "00:00:00.2",
        ["Lake__LeaseDuration"] = LeaseDuration.ToString(),
        ["Lake__CompactionInterval"] = "1.00:00:00",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__UserData.Lake"] = "Information",
    });

    private async Task<long> LakeRowsAsync() =>
        (await LakeReader.RowsAsync(new FolderLakeStorage(LakeFolder), "SELECT count(*) FROM events")).Select(long.Parse).SingleOrDefault();

    private async Task<long> LakeDistinctKeysAsync() =>
        (await LakeReader.RowsAsync(new FolderLakeStorage(LakeFolder), "SELECT count(DISTINCT (user_id, seq)) FROM events")).Select(long.Parse).SingleOrDefault();

    /// <summary>
    /// Takes SQLite's write lock on the journal's file (<c>BEGIN IMMEDIATE</c>; WAL lets the worker go on reading the
    /// journal and its checkpoint) at a moment the checkpoint shows a batch begun and not committed: the worker can still
    /// write that batch's files (its lease stays current for a lease duration after its last renewal, which now waits on
    /// the lock too), and its commit waits on the lock. Only once the worker has committed a batch past
    /// <paramref name="killedThrough"/> (the batch killed before, which it writes again first), so its Parquet writer
    /// is warm. Looks again every few milliseconds until it catches one.
    /// </summary>
    private async Task<BatchInFlight> CatchABatchInFlightAsync(string? killedThrough)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var connection = new SqliteConnection($"Data Source={Database};Pooling=False;Default Timeout=10");
            connection.Open();
            using (var begin = connection.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                begin.ExecuteNonQuery();
            }

            var state = Checkpoint(connection);
            if (state is { Pending: { } through } && state.Position != killedThrough && through != killedThrough)
            {
                return new BatchInFlight(connection, LakeFolder, state.Position, through);
            }

            await connection.DisposeAsync();
            Assert.True(
                DateTime.UtcNow < deadline,
                $"No batch in flight seen within 60 s; the checkpoint last stood at {state.Position ?? "the start"}, " +
                $"pending {state.Pending ?? "nothing"}, owned by {state.Owner ?? "no one"}.");
            await Task.Delay(5);
        }
    }

    private (string? Owner, string? Position, string? Pending) Checkpoint()
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        return Checkpoint(connection);
    }

    private static (string? Owner, string? Position, string? Pending) Checkpoint(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT owner, position, pending_through FROM change_feed_shards WHERE consumer = 'lake' AND shard = 'journal'";
        try
        {
            using var reader = command.ExecuteReader();
            return reader.Read() ? (Text(reader, 0), Text(reader, 1), Text(reader, 2)) : (null, null, null);
        }
        catch (SqliteException exception) when (exception.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return (null, null, null);
        }

        static string? Text(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
    }

    /// <summary>
    /// A batch the worker began and has not committed, seen under the write lock the test holds (<see cref="Lock"/>, a
    /// connection inside <c>BEGIN IMMEDIATE</c>; disposing it rolls back and releases the lock).
    /// </summary>
    private sealed record BatchInFlight(SqliteConnection Lock, string LakeFolder, string? After, string Through)
    {
        /// <summary>Whether a file of the batch (named after it, in any date partition) is in the lake.</summary>
        public bool FileWritten
        {
            get
            {
                var name = $"part-{BatchFiles.Tag("sqlite-journal", "journal", After, Through)}.parquet";
                var events = Path.Combine(LakeFolder, BatchFiles.EventsFolder);
                return Directory.Exists(events) && Directory.EnumerateFiles(events, name, SearchOption.AllDirectories).Any();
            }
        }
    }

    /// <summary>The journal's table as the journal makes it, filled with task events of <see cref="Users"/> users.</summary>
    private void WriteJournal()
    {
        var start = new DateTimeOffset(2026, 1, 30, 23, 0, 0, TimeSpan.Zero);
        SqliteJournalSeed.Write(Database,
            from n in Enumerable.Range(1, EventsPerUser)
            from user in Enumerable.Range(0, Users)
            let time = start.AddMinutes(n).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
            select ($"user/u{user:D3}", (long)n, time, SqliteJournalSeed.TaskCreated(n, time, $"r{n}")));
    }
}
