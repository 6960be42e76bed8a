using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Storage.Sqlite;

/// <summary>
/// The one connection that writes: it creates the schema, then commits each batch of queued writes in one
/// transaction, with a savepoint per append so a conflicting append rolls back only itself.
/// Used by a single thread; see <see cref="SqliteJournalStorage"/> for the schema.
/// </summary>
internal sealed partial class SqliteJournalWriter : IDisposable
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS events (
            grain      TEXT    NOT NULL,
            seq        INTEGER NOT NULL,
            written_at TEXT    NOT NULL,
            data       TEXT    NOT NULL,
            PRIMARY KEY (grain, seq)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS snapshots (
            grain      TEXT    NOT NULL PRIMARY KEY,
            version    INTEGER NOT NULL,
            written_at TEXT    NOT NULL,
            data       TEXT    NOT NULL
        );
        """;

    private readonly SqliteConnection _connection;
    private readonly ILogger _logger;
    private readonly List<SqliteCommand> _commands = [];
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackToSavepoint;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _redactEvents;
    private readonly SqliteCommand _upsertSnapshot;
    private long _commitCount;

    public SqliteJournalWriter(string connectionString, TimeSpan busyTimeout, ILogger logger)
    {
        _logger = logger;
        _connection = new SqliteConnection(connectionString);
        try
        {
            _connection.Open();
            Configure(busyTimeout);

            // Transactions are driven by statements rather than SqliteTransaction, so that a failed COMMIT or
            // ROLLBACK cannot leave the connection believing a transaction is still open.
            _begin = Prepare("BEGIN IMMEDIATE");
            _commit = Prepare("COMMIT");
            _rollback = Prepare("ROLLBACK");
            _savepoint = Prepare("SAVEPOINT append");
            _release = Prepare("RELEASE append");
            _rollbackToSavepoint = Prepare("ROLLBACK TO append");
            _insertEvent = Prepare(
                "INSERT INTO events (grain, seq, written_at, data) VALUES ($grain, $seq, $written_at, $data)",
                ("$grain", SqliteType.Text), ("$seq", SqliteType.Integer), ("$written_at", SqliteType.Text), ("$data", SqliteType.Text));
            _redactEvents = Prepare(
                "UPDATE events SET data = '' WHERE grain = $grain AND seq <= $through_seq",
                ("$grain", SqliteType.Text), ("$through_seq", SqliteType.Integer));
            _upsertSnapshot = Prepare(
                """
                INSERT INTO snapshots (grain, version, written_at, data) VALUES ($grain, $version, $written_at, $data)
                ON CONFLICT (grain) DO UPDATE SET version = excluded.version, written_at = excluded.written_at, data = excluded.data
                WHERE excluded.version >= snapshots.version
                """,
                ("$grain", SqliteType.Text), ("$version", SqliteType.Integer), ("$written_at", SqliteType.Text), ("$data", SqliteType.Text));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Transactions committed so far.</summary>
    public long CommitCount => Interlocked.Read(ref _commitCount);

    /// <summary>
    /// Writes the batch in one transaction and completes every write's task once the commit returned. If the
    /// transaction cannot begin or commit, every write of the batch fails with that error: nothing is acknowledged
    /// that was not committed.
    /// </summary>
    public void WriteBatch(IReadOnlyList<PendingWrite> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var writtenAt = SqliteTimestamp.ToText(DateTimeOffset.UtcNow);
        var conflicts = 0;
        try
        {
            RollBackLeftoverTransaction();
            _begin.ExecuteNonQuery();
            foreach (var write in batch)
            {
                switch (write)
                {
                    case PendingAppend append when !TryAppend(append, writtenAt):
                        conflicts++;
                        break;
                    case PendingSnapshot snapshot:
                        Upsert(snapshot, writtenAt);
                        break;
                    case PendingRedaction redaction:
                        _redactEvents.Parameters[0].Value = redaction.Key;
                        _redactEvents.Parameters[1].Value = redaction.ThroughSeq;
                        _redactEvents.ExecuteNonQuery();
                        break;
                }
            }

            _commit.ExecuteNonQuery();
        }
#pragma warning disable CA1031 // Whatever broke the transaction is handed to every caller of the batch.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogBatchFailed(_logger, exception, batch.Count);
            TryRollBack();
            foreach (var write in batch)
            {
                write.Fail(exception);
            }

            return;
        }

        Interlocked.Increment(ref _commitCount);
        LogBatchCommitted(_logger, batch.Count, conflicts, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        foreach (var write in batch)
        {
            write.Committed();
        }
    }

    public void Dispose()
    {
        foreach (var command in _commands)
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    private void Configure(TimeSpan busyTimeout)
    {
        var journalMode = Execute("PRAGMA journal_mode = WAL");
        if (!string.Equals(journalMode as string, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"SQLite refused WAL mode for {_connection.DataSource} (journal_mode is {journalMode}); the file system may not support it.");
        }

        // FULL: a commit is on disk (WAL fsynced) before COMMIT returns, so an acknowledged append survives a power loss.
        Execute("PRAGMA synchronous = FULL");

        // Redacted (erased) event content is overwritten in the file, not just unlinked.
        Execute("PRAGMA secure_delete = ON");
        Execute($"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}");
        Execute(Schema);
    }

    private object? Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private SqliteCommand Prepare(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = _connection.CreateCommand();
        _commands.Add(command);
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }

        command.Prepare();
        return command;
    }

    /// <returns>False when the append conflicted; it then wrote nothing and carries a <see cref="JournalConflictException"/>.</returns>
    private bool TryAppend(PendingAppend append, string writtenAt)
    {
        _savepoint.ExecuteNonQuery();
        try
        {
            var parameters = _insertEvent.Parameters;
            parameters[0].Value = append.Key;
            parameters[2].Value = writtenAt;
            for (var i = 0; i < append.Events.Count; i++)
            {
                parameters[1].Value = append.ExpectedVersion + 1 + i;
                parameters[3].Value = append.Events[i];
                _insertEvent.ExecuteNonQuery();
            }
        }
        catch (SqliteException exception) when (exception is { SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintPrimaryKey })
        {
            // A primary key violation leaves the transaction open: undo this append's earlier events only.
            _rollbackToSavepoint.ExecuteNonQuery();
            _release.ExecuteNonQuery();
            append.Failure = new JournalConflictException(append.GrainId, append.ExpectedVersion);
            LogConflict(_logger, append.GrainId, append.ExpectedVersion);
            return false;
        }

        _release.ExecuteNonQuery();
        return true;
    }

    private void Upsert(PendingSnapshot write, string writtenAt)
    {
        var parameters = _upsertSnapshot.Parameters;
        parameters[0].Value = write.Key;
        parameters[1].Value = write.Snapshot.Version;
        parameters[2].Value = writtenAt;
        parameters[3].Value = write.Snapshot.Json;
        _upsertSnapshot.ExecuteNonQuery();
    }

    /// <summary>After a failed batch SQLite may or may not have rolled back on its own; start the next one clean.</summary>
    private void RollBackLeftoverTransaction()
    {
        if (raw.sqlite3_get_autocommit(_connection.Handle) == 0)
        {
            _rollback.ExecuteNonQuery();
        }
    }

    /// <summary>Releases the write lock at once after a failure; if even that fails, the next batch tries again.</summary>
    private void TryRollBack()
    {
        try
        {
            RollBackLeftoverTransaction();
        }
        catch (SqliteException exception)
        {
            LogRollbackFailed(_logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Trace, Message = "Committed {Writes} journal writes ({Conflicts} conflicts) in {ElapsedMilliseconds} ms")]
    private static partial void LogBatchCommitted(ILogger logger, int writes, int conflicts, double elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Journal append to {GrainId} at version {ExpectedVersion} conflicted with another writer")]
    private static partial void LogConflict(ILogger logger, GrainId grainId, long expectedVersion);

    [LoggerMessage(Level = LogLevel.Error, Message = "A transaction of {Writes} journal writes failed; all of them were rejected")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int writes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolling back a failed journal transaction failed; the next batch retries")]
    private static partial void LogRollbackFailed(ILogger logger, Exception exception);
}
