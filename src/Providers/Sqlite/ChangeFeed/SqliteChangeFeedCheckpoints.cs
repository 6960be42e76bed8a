using Microsoft.Data.Sqlite;
using UserData.Providers.ChangeFeed;
using UserData.Providers.Journal;

namespace UserData.Providers.Sqlite.ChangeFeed;

/// <summary>
/// Change feed consumer state in the journal's SQLite file, so it lives and is backed up with the journal:
/// </summary>
/// <remarks>
/// <code>
/// CREATE TABLE change_feed_shards (
///     consumer        TEXT    NOT NULL,
///     shard           TEXT    NOT NULL,
///     owner           TEXT,              -- the lease holder; NULL when free
///     counter         INTEGER NOT NULL,  -- incremented by every claim and renewal
///     position        TEXT,              -- consumed through here
///     pending_after   TEXT,              -- the batch being written: after this position ...
///     pending_through TEXT,              -- ... through this one (NULL: no batch)
///     ended           INTEGER NOT NULL,  -- the shard is closed and fully consumed
///     updated_at      TEXT    NOT NULL,
///     PRIMARY KEY (consumer, shard)
/// );
/// CREATE TABLE change_feed_erasures (consumer TEXT NOT NULL, stream TEXT NOT NULL, recorded_at TEXT NOT NULL, applied_at TEXT, PRIMARY KEY (consumer, stream));
/// </code>
/// Each call opens its own write connection: a consumer writes a few rows per batch, and SQLite's file lock (with the
/// busy timeout) orders those writes with the journal's.
/// </remarks>
public sealed class SqliteChangeFeedCheckpoints : IChangeFeedCheckpoints
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS change_feed_shards (
            consumer        TEXT    NOT NULL,
            shard           TEXT    NOT NULL,
            owner           TEXT,
            counter         INTEGER NOT NULL,
            position        TEXT,
            pending_after   TEXT,
            pending_through TEXT,
            ended           INTEGER NOT NULL DEFAULT 0,
            updated_at      TEXT    NOT NULL,
            PRIMARY KEY (consumer, shard)
        );
        CREATE TABLE IF NOT EXISTS change_feed_erasures (
            consumer    TEXT NOT NULL,
            stream      TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            applied_at  TEXT,
            PRIMARY KEY (consumer, stream)
        );
        """;

    private const string Columns = "shard, owner, counter, position, pending_after, pending_through, ended";

    private readonly SqliteDatabaseFile _file;

    public SqliteChangeFeedCheckpoints(SqliteDatabaseFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
    }

    public string Provider => "sqlite";

    public Task StartAsync(CancellationToken cancellationToken) => ExecuteAsync(Schema, [], cancellationToken);

    public async Task<IReadOnlyList<ShardCheckpoint>> ListShardsAsync(string consumer, CancellationToken cancellationToken)
    {
        using var connection = _file.OpenWriter();
        using var command = Command(connection, $"SELECT {Columns} FROM change_feed_shards WHERE consumer = $consumer ORDER BY shard", ("$consumer", consumer));
        var shards = new List<ShardCheckpoint>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            shards.Add(ReadShard(reader));
        }

        return shards;
    }

    public async Task<ShardCheckpoint?> TryClaimAsync(string consumer, string shard, string owner, long? expectedCounter, CancellationToken cancellationToken)
    {
        var sql = expectedCounter is null
            ? $"""
               INSERT INTO change_feed_shards (consumer, shard, owner, counter, ended, updated_at) VALUES ($consumer, $shard, $owner, 1, 0, $now)
               ON CONFLICT DO NOTHING RETURNING {Columns}
               """
            : $"""
               UPDATE change_feed_shards SET owner = $owner, counter = counter + 1, updated_at = $now
               WHERE consumer = $consumer AND shard = $shard AND counter = $expected RETURNING {Columns}
               """;
        using var connection = _file.OpenWriter();
        using var command = Command(connection, sql, ("$consumer", consumer), ("$shard", shard), ("$owner", owner), ("$now", Now()), ("$expected", expectedCounter));
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadShard(reader) : null;
    }

    public async Task<long?> TryRenewAsync(string consumer, string shard, string owner, CancellationToken cancellationToken)
    {
        using var connection = _file.OpenWriter();
        using var command = Command(
            connection,
            "UPDATE change_feed_shards SET counter = counter + 1, updated_at = $now WHERE consumer = $consumer AND shard = $shard AND owner = $owner RETURNING counter",
            ("$consumer", consumer), ("$shard", shard), ("$owner", owner), ("$now", Now()));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long counter ? counter : null;
    }

    public Task<bool> TryBeginBatchAsync(string consumer, string shard, string owner, string? after, string through, CancellationToken cancellationToken) =>
        UpdateOwnedAsync(
            "UPDATE change_feed_shards SET pending_after = $after, pending_through = $through, updated_at = $now WHERE consumer = $consumer AND shard = $shard AND owner = $owner",
            cancellationToken, ("$consumer", consumer), ("$shard", shard), ("$owner", owner), ("$after", after), ("$through", through));

    public Task<bool> TryCommitAsync(string consumer, string shard, string owner, string position, bool shardEnded, CancellationToken cancellationToken) =>
        UpdateOwnedAsync(
            """
            UPDATE change_feed_shards SET position = $position, pending_after = NULL, pending_through = NULL, ended = $ended, updated_at = $now
            WHERE consumer = $consumer AND shard = $shard AND owner = $owner
            """,
            cancellationToken, ("$consumer", consumer), ("$shard", shard), ("$owner", owner), ("$position", position), ("$ended", shardEnded ? 1 : 0));

    public Task ReleaseAsync(string consumer, string shard, string owner, CancellationToken cancellationToken) =>
        UpdateOwnedAsync(
            "UPDATE change_feed_shards SET owner = NULL, updated_at = $now WHERE consumer = $consumer AND shard = $shard AND owner = $owner",
            cancellationToken, ("$consumer", consumer), ("$shard", shard), ("$owner", owner));

    public Task RecordErasureAsync(string consumer, string stream, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT INTO change_feed_erasures (consumer, stream, recorded_at) VALUES ($consumer, $stream, $now) ON CONFLICT DO NOTHING",
            [("$consumer", consumer), ("$stream", stream)], cancellationToken);

    public async Task<IReadOnlyList<ErasedStream>> ListErasuresAsync(string consumer, CancellationToken cancellationToken)
    {
        using var connection = _file.OpenWriter();
        using var command = Command(connection, "SELECT stream, applied_at IS NOT NULL FROM change_feed_erasures WHERE consumer = $consumer", ("$consumer", consumer));
        var erasures = new List<ErasedStream>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            erasures.Add(new ErasedStream(reader.GetString(0), reader.GetBoolean(1)));
        }

        return erasures;
    }

    public Task MarkErasureAppliedAsync(string consumer, string stream, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "UPDATE change_feed_erasures SET applied_at = $now WHERE consumer = $consumer AND stream = $stream AND applied_at IS NULL",
            [("$consumer", consumer), ("$stream", stream)], cancellationToken);

    private static ShardCheckpoint ReadShard(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.IsDBNull(1) ? null : reader.GetString(1),
        reader.GetInt64(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.GetInt64(6) != 0);

    private async Task<bool> UpdateOwnedAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        await ExecuteAsync(sql, parameters, cancellationToken).ConfigureAwait(false) == 1;

    private async Task<int> ExecuteAsync(string sql, (string Name, object? Value)[] parameters, CancellationToken cancellationToken)
    {
        using var connection = _file.OpenWriter();
        using var command = Command(connection, sql, [.. parameters, ("$now", Now())]);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            if (sql.Contains(name, StringComparison.Ordinal) && !command.Parameters.Contains(name))
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }
        }

        return command;
    }

    private static string Now() => JournalTimestamp.ToText(DateTimeOffset.UtcNow);
}
