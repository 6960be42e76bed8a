using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using UserData.Providers.Journal;

namespace UserData.Providers.Sqlite.Journal;

/// <summary>
/// The event journal in an SQLite file (WAL, <c>synchronous = FULL</c>: an append is acknowledged only once its
/// transaction is on disk).
/// </summary>
/// <remarks>
/// <para>
/// Writes from all grains go through a queue to one writer thread, which takes everything pending (up to
/// <see cref="SqliteEventJournalOptions.MaxBatchSize"/>) and commits it in one transaction: many appends share one fsync.
/// Each append runs in a savepoint, so one that conflicts is rolled back alone while the rest of its batch commits.
/// Reads use pooled read-only connections, which WAL lets run beside the writer (and beside other processes' writers).
/// </para>
/// <para>Schema (created when missing; <c>stream</c> is <c>GrainId.ToString()</c>, e.g. <c>user/0b9...</c>):</para>
/// <code>
/// CREATE TABLE journal_events (
///     position   INTEGER PRIMARY KEY AUTOINCREMENT, -- commit order across all streams, never reused: a change feed
///                                                   -- pages through it with WHERE position > ? ORDER BY position
///     stream     TEXT    NOT NULL,
///     seq        INTEGER NOT NULL,   -- 1, 2, ... per stream
///     type       TEXT    NOT NULL,   -- the event's JSON type discriminator (the type name when it declares none)
///     written_at TEXT    NOT NULL,   -- ISO 8601 UTC with milliseconds, e.g. 2026-01-31T12:00:00.123Z
///     append_id  TEXT    NOT NULL,   -- one per append (batch); a retried append finds its own id
///     data       TEXT,               -- the event's JSON; NULL once erased
///     UNIQUE (stream, seq)           -- the fence: a sequence number is written once
/// );
/// CREATE TABLE journal_snapshots (
///     stream     TEXT    NOT NULL PRIMARY KEY,
///     version    INTEGER NOT NULL,   -- seq of the last event the snapshot includes; only ever replaced by a higher one
///     written_at TEXT    NOT NULL,
///     data       TEXT    NOT NULL    -- the state's JSON
/// );
/// </code>
/// <para>
/// Positions follow commit order because SQLite lets one transaction write at a time and a position is taken inside it.
/// Erasure empties <c>data</c> with <c>secure_delete</c> on and then checkpoints, so the erased text is overwritten in the
/// file and dropped from the write-ahead log. Compaction empties <c>data</c> the same way but leaves the write-ahead log to
/// SQLite's own checkpoints: forcing one would hold every grain's appends behind any long read.
/// </para>
/// </remarks>
internal sealed partial class SqliteEventJournalStore : IEventJournalStore, IAsyncDisposable
{
    private const string ReadEventsSql = """
        SELECT seq, data FROM journal_events
        WHERE stream = $stream AND seq > $after_seq AND seq <= $through_seq AND data IS NOT NULL
        ORDER BY seq LIMIT $max_count
        """;

    private const string ReadSnapshotSql = "SELECT version, data FROM journal_snapshots WHERE stream = $stream";

    private const string HealthSql = "SELECT EXISTS (SELECT 1 FROM journal_events)";

    // Unbounded: an activation has at most one write in flight, so the queue cannot outgrow the activations; a bound
    // would only turn a slow disk into errors sooner.
    private readonly Channel<SqlitePendingWrite> _queue = Channel.CreateUnbounded<SqlitePendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteDatabaseFile _file;
    private readonly int _maxBatchSize;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private SqliteJournalWriter? _writer;
    private Task? _writerLoop;
    private bool _stopped;

    public SqliteEventJournalStore(SqliteEventJournalOptions options, ILogger<SqliteEventJournalStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _file = new SqliteDatabaseFile(options.Path, options.BusyTimeout);
        _maxBatchSize = options.MaxBatchSize;
        _logger = logger;
    }

    public string Provider => "sqlite";

    /// <summary>Transactions the writer committed; with grouping it is smaller than the number of writes.</summary>
    internal long CommitCount => _writer?.CommitCount ?? 0;

    /// <summary>Opens (or creates) the file and its schema and starts the writer thread.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_writer is null)
            {
                _writer = new SqliteJournalWriter(_file, _logger);
                _writerLoop = Task.Factory.StartNew(RunWriter, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                LogOpened(_logger, _file.Path, _maxBatchSize);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops taking writes, waits until everything already queued is committed, then closes the file.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task? writerLoop;
        lock (_lock)
        {
            _stopped = true;
            _queue.Writer.TryComplete();
            writerLoop = _writerLoop;
        }

        if (writerLoop is not null)
        {
            await writerLoop.ConfigureAwait(false);
        }

        // Pooled readers would otherwise keep the file open after the journal is gone.
        _file.ClearReadPool();
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    public Task<AppendResult> AppendAsync(JournalAppend append)
    {
        ArgumentNullException.ThrowIfNull(append);
        var pending = new SqlitePendingAppend(append);
        Enqueue(pending);
        return pending.Completion;
    }

    public Task WriteSnapshotAsync(string stream, StoredSnapshot snapshot)
    {
        var pending = new SqlitePendingSnapshot(stream, snapshot);
        Enqueue(pending);
        return pending.Completion;
    }

    public Task RedactAsync(string stream, long afterSeq, long throughSeq, RedactionKind kind)
    {
        var pending = new SqlitePendingRedaction(stream, afterSeq, throughSeq, kind);
        Enqueue(pending);
        return pending.Completion;
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(string stream, long afterSeq, long throughSeq, int maxCount, CancellationToken cancellationToken)
    {
        var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = ReadEventsSql;
            command.Parameters.Add("$stream", SqliteType.Text).Value = stream;
            command.Parameters.Add("$after_seq", SqliteType.Integer).Value = afterSeq;
            command.Parameters.Add("$through_seq", SqliteType.Integer).Value = throughSeq;
            command.Parameters.Add("$max_count", SqliteType.Integer).Value = maxCount;

            var events = new List<StoredEvent>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    // The column's UTF-8 text as it is in the file: no UTF-16 string for the deserializer to encode again.
                    events.Add(new StoredEvent(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
                }
            }

            return events;
        }
    }

    public async Task<StoredSnapshot?> ReadSnapshotAsync(string stream, CancellationToken cancellationToken)
    {
        var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = ReadSnapshotSql;
            command.Parameters.Add("$stream", SqliteType.Text).Value = stream;

            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? new StoredSnapshot(reader.GetInt64(0), reader.GetString(1))
                    : null;
            }
        }
    }

    /// <summary>Fails when the writer thread is not running or the journal table cannot be read.</summary>
    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (_writerLoop is not { IsCompleted: false })
        {
            throw new InvalidOperationException($"The SQLite journal writer of {_file.Path} is not running.");
        }

        var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = HealthSql;
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Enqueue(SqlitePendingWrite write)
    {
        if (_writer is null)
        {
            throw new InvalidOperationException($"The SQLite journal of {_file.Path} is not started.");
        }

        // Fails only once stopping completed the queue.
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SqliteEventJournalStore), $"The SQLite journal of {_file.Path} is stopped.");
        }
    }

    private Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        return _file.OpenReaderAsync(cancellationToken);
    }

    /// <summary>The writer thread: takes everything pending, up to the batch size, and commits it in one transaction.</summary>
    private void RunWriter()
    {
        var writer = _writer!;
        var batch = new List<SqlitePendingWrite>(Math.Min(_maxBatchSize, 1_024));
        try
        {
            while (WaitForWrites())
            {
                while (batch.Count < _maxBatchSize && _queue.Reader.TryRead(out var write))
                {
                    batch.Add(write);
                }

                writer.WriteBatch(batch);
                batch.Clear();
            }
        }
        finally
        {
            // Normally the queue is completed and empty by now; after an unexpected fault nobody may wait forever.
            _queue.Writer.TryComplete();
            var stopped = new InvalidOperationException($"The SQLite journal writer of {_file.Path} stopped.");
            foreach (var write in batch)
            {
                write.Fail(stopped);
            }

            while (_queue.Reader.TryRead(out var write))
            {
                write.Fail(stopped);
            }

            writer.Dispose();
            LogClosed(_logger, _file.Path);
        }
    }

    /// <returns>False once the queue is completed and drained.</returns>
    private bool WaitForWrites()
    {
        // This thread does nothing but write, so blocking it while the queue is empty costs no pool thread.
        var wait = _queue.Reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Opened the SQLite event journal {Path} (WAL, synchronous FULL, up to {MaxBatchSize} writes per transaction)")]
    private static partial void LogOpened(ILogger logger, string path, int maxBatchSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed the SQLite event journal {Path}")]
    private static partial void LogClosed(ILogger logger, string path);
}
