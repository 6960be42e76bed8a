using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;
using UserData.Providers.Journal;

namespace UserData.Providers.Sqlite.Journal;

/// <summary>
/// The journal's one write connection: it creates the schema (see <see cref="SqliteEventJournalStore"/>), then commits each
/// batch of queued writes in one transaction, with a savepoint per append so a conflicting append rolls back alone.
/// Used by a single thread.
/// </summary>
internal sealed partial class SqliteJournalWriter : IDisposable
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    internal const string Schema = """
        CREATE TABLE IF NOT EXISTS journal_events (
            position   INTEGER PRIMARY KEY AUTOINCREMENT,
            stream     TEXT    NOT NULL,
            seq        INTEGER NOT NULL,
            type       TEXT    NOT NULL,
            written_at TEXT    NOT NULL,
            append_id  TEXT    NOT NULL,
            data       TEXT,
            UNIQUE (stream, seq)
        );
        CREATE TABLE IF NOT EXISTS journal_snapshots (
            stream     TEXT    NOT NULL PRIMARY KEY,
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
    private readonly SqliteCommand _appendIdAt;
    private readonly SqliteCommand _redactEvents;
    private readonly SqliteCommand _upsertSnapshot;
    private long _commitCount;

    public SqliteJournalWriter(SqliteDatabaseFile file, ILogger logger)
    {
        _logger = logger;
        _connection = file.OpenWriter();
        try
        {
            // Erased event content is overwritten with zeros in the file, not just unlinked.
            Execute("PRAGMA secure_delete = ON");
            Execute(Schema);

            // Transactions are driven by statements rather than SqliteTransaction, so that a failed COMMIT or
            // ROLLBACK cannot leave the connection believing a transaction is still open.
            _begin = Prepare("BEGIN IMMEDIATE");
            _commit = Prepare("COMMIT");
            _rollback = Prepare("ROLLBACK");
            _savepoint = Prepare("SAVEPOINT append");
            _release = Prepare("RELEASE append");
            _rollbackToSavepoint = Prepare("ROLLBACK TO append");
            _insertEvent = Prepare(
                "INSERT INTO journal_events (stream, seq, type, written_at, append_id, data) VALUES ($stream, $seq, $type, $written_at, $append_id, $data)",
                ("$stream", SqliteType.Text), ("$seq", SqliteType.Integer), ("$type", SqliteType.Text),
                ("$written_at", SqliteType.Text), ("$append_id", SqliteType.Text), ("$data", SqliteType.Text));
            _appendIdAt = Prepare(
                "SELECT append_id FROM journal_events WHERE stream = $stream AND seq = $seq",
                ("$stream", SqliteType.Text), ("$seq", SqliteType.Integer));
            _redactEvents = Prepare(
                "UPDATE journal_events SET data = NULL WHERE stream = $stream AND seq > $after_seq AND seq <= $through_seq AND data IS NOT NULL",
                ("$stream", SqliteType.Text), ("$after_seq", SqliteType.Integer), ("$through_seq", SqliteType.Integer));
            _upsertSnapshot = Prepare(
                """
                INSERT INTO journal_snapshots (stream, version, written_at, data) VALUES ($stream, $version, $written_at, $data)
                ON CONFLICT (stream) DO UPDATE SET version = excluded.version, written_at = excluded.written_at, data = excluded.data
                WHERE excluded.version > journal_snapshots.version
                """,
                ("$stream", SqliteType.Text), ("$version", SqliteType.Integer), ("$written_at", SqliteType.Text), ("$data", SqliteType.Text));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Transactions committed so far; with grouping it is smaller than the number of writes.</summary>
    public long CommitCount => Interlocked.Read(ref _commitCount);

    /// <summary>
    /// Writes the batch in one transaction and completes every write's task once the commit returned. If the transaction
    /// cannot begin or commit, every write of the batch fails with that error: nothing is acknowledged that was not committed.
    /// </summary>
    public void WriteBatch(IReadOnlyList<SqlitePendingWrite> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var writtenAt = JournalTimestamp.ToText(DateTimeOffset.UtcNow);
        var conflicts = 0;
        var erased = false;
        try
        {
            RollBackLeftoverTransaction();
            _begin.ExecuteNonQuery();
            foreach (var write in batch)
            {
                switch (write)
                {
                    case SqlitePendingAppend append:
                        append.Result = Append(append.Append, writtenAt);
                        conflicts += append.Result == AppendResult.Conflict ? 1 : 0;
                        break;
                    case SqlitePendingSnapshot snapshot:
                        Execute(_upsertSnapshot, snapshot.Stream, snapshot.Snapshot.Version, writtenAt, snapshot.Snapshot.Json);
                        break;
                    case SqlitePendingRedaction redaction:
                        Execute(_redactEvents, redaction.Stream, redaction.AfterSeq, redaction.ThroughSeq);
                        erased |= redaction.Kind == RedactionKind.Erasure;
                        break;
                }
            }

            _commit.ExecuteNonQuery();
        }
#pragma warning disable CA1031 // Whatever broke the transaction is handed to every write of the batch.
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
        if (erased)
        {
            CheckpointErasedContent();
        }

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

    private AppendResult Append(JournalAppend append, string writtenAt)
    {
        _savepoint.ExecuteNonQuery();
        try
        {
            for (var i = 0; i < append.Events.Count; i++)
            {
                Execute(_insertEvent, append.Stream, append.FirstSeq + i, append.Events[i].Type, writtenAt, append.AppendId, append.Events[i].Json);
            }
        }
        catch (SqliteException exception) when (exception is
        {
            SqliteErrorCode: SqliteConstraint, SqliteExtendedErrorCode: SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        })
        {
            // The constraint error leaves the transaction open: undo this append's earlier rows only.
            _rollbackToSavepoint.ExecuteNonQuery();
            _release.ExecuteNonQuery();
            _appendIdAt.Parameters[0].Value = append.Stream;
            _appendIdAt.Parameters[1].Value = append.FirstSeq;
            return _appendIdAt.ExecuteScalar() as string == append.AppendId ? AppendResult.AlreadyAppended : AppendResult.Conflict;
        }

        _release.ExecuteNonQuery();
        return AppendResult.Appended;
    }

    /// <summary>
    /// Moves the committed erasure into the database file and empties the write-ahead log, which still holds the erased
    /// content in the pages it logged. A reader in the middle of a transaction can keep it from finishing; the next
    /// checkpoint (SQLite runs them automatically) does it then.
    /// </summary>
    private void CheckpointErasedContent()
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            using var reader = command.ExecuteReader();
            if (reader.Read() && reader.GetInt64(0) != 0)
            {
                LogCheckpointBusy(_logger);
            }
        }
        catch (SqliteException exception)
        {
            LogCheckpointFailed(_logger, exception);
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void Execute(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        command.ExecuteNonQuery();
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

    [LoggerMessage(Level = LogLevel.Error, Message = "A transaction of {Writes} journal writes failed; all of them were rejected")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int writes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolling back a failed journal transaction failed; the next batch retries")]
    private static partial void LogRollbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "A reader kept the checkpoint after an erasure from finishing; erased content stays in the write-ahead log until the next checkpoint")]
    private static partial void LogCheckpointBusy(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The checkpoint after an erasure failed; erased content stays in the write-ahead log until the next checkpoint")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
