using System.ComponentModel.DataAnnotations;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Storage.Sqlite;

/// <summary>
/// The journal in an embedded SQLite file, in WAL mode with <c>synchronous = FULL</c>: an append is acknowledged
/// only once its transaction is on disk.
/// </summary>
/// <remarks>
/// <para>
/// Appends and snapshot writes from all grains go through a queue to one writer thread, which takes everything
/// pending (up to <see cref="SqliteJournalOptions.MaxBatchSize"/>) and commits it in one transaction (group
/// commit): many appends share one fsync. Each append runs in its own savepoint, so one that conflicts is rolled
/// back alone and the others of the batch still commit. Reads use their own pooled read-only connections, which
/// WAL lets run beside the writer.
/// </para>
/// <para>Schema (created when missing; <c>grain</c> is <see cref="GrainId.ToString"/>, <c>type/key</c>):</para>
/// <code>
/// CREATE TABLE events (
///     grain      TEXT    NOT NULL,   -- type/key
///     seq        INTEGER NOT NULL,   -- 1, 2, ... per grain
///     written_at TEXT    NOT NULL,   -- ISO 8601 UTC with milliseconds, e.g. 2025-01-31T12:00:00.123Z
///     data       TEXT    NOT NULL,   -- the event's JSON; '' once redacted (erased)
///     PRIMARY KEY (grain, seq)       -- the fencing condition: a sequence number is written once
/// ) WITHOUT ROWID;
/// CREATE TABLE snapshots (
///     grain      TEXT    NOT NULL PRIMARY KEY,
///     version    INTEGER NOT NULL,   -- seq of the last event the snapshot includes
///     written_at TEXT    NOT NULL,
///     data       TEXT    NOT NULL    -- the state's JSON
/// );
/// </code>
/// <para>
/// A cancelled append or snapshot write either never reached the writer (nothing written, the task is cancelled)
/// or is already in a transaction, and then completes with that transaction's outcome.
/// </para>
/// </remarks>
public sealed partial class SqliteJournalStorage : IJournalStorage, IAsyncDisposable
{
    private const string ReadEventsSql =
        "SELECT seq, written_at, data FROM events WHERE grain = $grain AND seq > $after_seq AND data <> '' ORDER BY seq LIMIT $max_count";

    private const string ReadSnapshotSql = "SELECT version, data FROM snapshots WHERE grain = $grain";

    private const string HealthSql = "SELECT EXISTS (SELECT 1 FROM events)";

    // Unbounded: an activation has at most one write in flight and the runtime bounds activations, so the
    // queue cannot outgrow them; a bound here would only turn a slow disk into errors sooner.
    private readonly Channel<PendingWrite> _queue =
        Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });

    private readonly SqliteJournalWriter _writer;
    private readonly Task _writerLoop;
    private readonly string _readConnectionString;
    private readonly string _path;
    private readonly int _maxBatchSize;
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>Opens (or creates) the database file and its folder, and starts the writer thread.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SqliteJournalStorage(IOptions<SqliteJournalOptions> options, ILogger<SqliteJournalStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var settings = options.Value;
        Validate(settings);

        _logger = logger;
        _path = System.IO.Path.GetFullPath(settings.Path);
        _maxBatchSize = settings.MaxBatchSize;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);

        // Microsoft.Data.Sqlite retries busy statements for its command timeout, in whole seconds.
        var timeoutSeconds = (int)Math.Ceiling(settings.BusyTimeout.TotalSeconds);
        var writeConnection = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = timeoutSeconds,
        };
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadOnly,
            DefaultTimeout = timeoutSeconds,
        }.ToString();

        _writer = new SqliteJournalWriter(writeConnection.ToString(), settings.BusyTimeout, logger);
        RestrictToOwner(_path);
        _writerLoop = Task.Factory.StartNew(RunWriter, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        LogOpened(_logger, _path, _maxBatchSize);
    }

    public string Provider => "sqlite";

    /// <summary>Transactions the writer committed; with batching it is smaller than the number of writes.</summary>
    internal long CommitCount => _writer.CommitCount;

    public Task AppendAsync(GrainId grainId, long expectedVersion, IReadOnlyList<string> events, CancellationToken cancellationToken = default)
    {
        CheckGrainId(grainId);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(expectedVersion, long.MaxValue - events.Count);

        // A copy, so that a caller changing its list while the append waits in the queue cannot change what is written.
        var copy = new string[events.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = string.IsNullOrEmpty(events[i])
                ? throw new ArgumentException($"Event {i} is null or empty; an event is a JSON document.", nameof(events))
                : events[i];
        }

        return Enqueue(new PendingAppend(grainId, expectedVersion, copy, cancellationToken), cancellationToken);
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(GrainId grainId, long afterSeq, int maxCount, CancellationToken cancellationToken = default)
    {
        CheckGrainId(grainId);
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);

        var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = ReadEventsSql;
            command.Parameters.Add("$grain", SqliteType.Text).Value = grainId.ToString();
            command.Parameters.Add("$after_seq", SqliteType.Integer).Value = afterSeq;
            command.Parameters.Add("$max_count", SqliteType.Integer).Value = maxCount;

            var events = new List<StoredEvent>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    events.Add(new StoredEvent(reader.GetInt64(0), SqliteTimestamp.Parse(reader.GetString(1)), reader.GetString(2)));
                }
            }

            return events;
        }
    }

    public async Task<StoredSnapshot?> ReadSnapshotAsync(GrainId grainId, CancellationToken cancellationToken = default)
    {
        CheckGrainId(grainId);

        var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = ReadSnapshotSql;
            command.Parameters.Add("$grain", SqliteType.Text).Value = grainId.ToString();

            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? new StoredSnapshot(reader.GetInt64(0), reader.GetString(1))
                    : null;
            }
        }
    }

    /// <summary>Empties the <c>data</c> of the events (an empty string marks a redacted event); the rows stay as the fence.</summary>
    public Task RedactAsync(GrainId grainId, long throughSeq, CancellationToken cancellationToken = default)
    {
        CheckGrainId(grainId);
        ArgumentOutOfRangeException.ThrowIfNegative(throughSeq);
        return Enqueue(new PendingRedaction(grainId, throughSeq, cancellationToken), cancellationToken);
    }

    public Task WriteSnapshotAsync(GrainId grainId, StoredSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        CheckGrainId(grainId);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentOutOfRangeException.ThrowIfNegative(snapshot.Version, nameof(snapshot));
        if (string.IsNullOrEmpty(snapshot.Json))
        {
            throw new ArgumentException("A snapshot's JSON must not be null or empty.", nameof(snapshot));
        }

        return Enqueue(new PendingSnapshot(grainId, snapshot, cancellationToken), cancellationToken);
    }

    /// <summary>Fails when the writer thread has stopped or the database cannot be read.</summary>
    public async Task CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_writerLoop.IsCompleted)
        {
            throw new InvalidOperationException($"The SQLite journal writer of {_path} has stopped.");
        }

        var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = HealthSql;
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops taking writes, waits until the writer committed everything already queued, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _writerLoop.ConfigureAwait(false);
            return;
        }

        _queue.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);

        // Pooled readers would otherwise keep the file open after the storage is gone.
        using (var connection = new SqliteConnection(_readConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        LogClosed(_logger, _path);
    }

    private static void Validate(SqliteJournalOptions settings)
    {
        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(settings, new ValidationContext(settings), errors, validateAllProperties: true))
        {
            throw new ArgumentException(
                $"Invalid {nameof(SqliteJournalOptions)}: {string.Join(" ", errors.Select(error => error.ErrorMessage))}", "options");
        }
    }

    private static void CheckGrainId(GrainId grainId)
    {
        if (grainId.Type is null)
        {
            throw new ArgumentException("The grain id is the default value, not a grain's id.", nameof(grainId));
        }
    }

    private Task Enqueue(PendingWrite write, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        // Fails only once disposal completed the queue.
        if (!_queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(SqliteJournalStorage));
        }

        return write.Completion;
    }

    /// <summary>The database and its WAL companions are the users' data: readable and writable by the owner alone.</summary>
    private static void RestrictToOwner(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The writer thread: takes everything pending, up to the batch size, and commits it in one transaction.</summary>
    private void RunWriter()
    {
        var batch = new List<PendingWrite>(Math.Min(_maxBatchSize, 1_024));
        try
        {
            while (WaitForWrites())
            {
                while (batch.Count < _maxBatchSize && _queue.Reader.TryRead(out var write))
                {
                    if (!write.TryCancel())
                    {
                        batch.Add(write);
                    }
                }

                if (batch.Count > 0)
                {
                    _writer.WriteBatch(batch);
                    batch.Clear();
                }
            }
        }
        finally
        {
            // Normally the queue is completed and empty by now; after an unexpected fault, nobody may wait forever.
            _queue.Writer.TryComplete();
            var stopped = new InvalidOperationException($"The SQLite journal writer of {_path} stopped.");
            foreach (var write in batch)
            {
                write.Fail(stopped);
            }

            while (_queue.Reader.TryRead(out var write))
            {
                write.Fail(stopped);
            }

            _writer.Dispose();
        }
    }

    /// <returns>False once the queue is completed and drained.</returns>
    private bool WaitForWrites()
    {
        // This thread does nothing but write, so blocking it while the queue is empty costs no pool thread.
        var wait = _queue.Reader.WaitToReadAsync();
        return wait.IsCompleted ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Opened SQLite journal {Path} (WAL, synchronous FULL, up to {MaxBatchSize} writes per transaction)")]
    private static partial void LogOpened(ILogger logger, string path, int maxBatchSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed SQLite journal {Path}")]
    private static partial void LogClosed(ILogger logger, string path);
}
