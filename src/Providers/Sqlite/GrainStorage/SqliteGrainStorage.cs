using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using UserData.Providers.GrainStorage;

namespace UserData.Providers.Sqlite.GrainStorage;

/// <summary>
/// Orleans grain storage in a SQLite file, in the table <c>grain_state</c> (created when missing; the journal may
/// share the file with tables of its own). Writes are transactions on one writer connection, one at a time in this
/// process (<c>BEGIN IMMEDIATE</c> also fences other processes and connections on the same file); the ETag is checked
/// inside the transaction. Reads use pooled read-only connections beside the writer (WAL).
/// </summary>
internal sealed partial class SqliteGrainStorage : JsonGrainStorage
{
    // data is NULL for a state cleared without deleting its row.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS grain_state (
            service_id TEXT NOT NULL,
            grain_id   TEXT NOT NULL,
            state_name TEXT NOT NULL,
            etag       TEXT NOT NULL,
            data       TEXT,
            written_at TEXT NOT NULL,
            PRIMARY KEY (service_id, grain_id, state_name)
        ) WITHOUT ROWID;
        """;

    private const string KeyCondition = "service_id = $service_id AND grain_id = $grain_id AND state_name = $state_name";

    private readonly SqliteDatabaseFile _file;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteConnection? _writer;

    private SqliteGrainStorage(string name, SqliteGrainStorageOptions options, string serviceId, IActivatorProvider activators, ILogger<SqliteGrainStorage> logger)
        : base(name, "sqlite", serviceId, options.GrainStorageSerializer, options.DeleteStateOnClear, activators, logger)
    {
        _file = new SqliteDatabaseFile(options.Path, options.BusyTimeout);
    }

    public static SqliteGrainStorage Create(IServiceProvider services, string name) => new(
        name,
        services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name),
        services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
        services.GetRequiredService<IActivatorProvider>(),
        services.GetRequiredService<ILogger<SqliteGrainStorage>>());

    protected override async Task StartStoreAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _writer = await Task.Run(OpenWriter, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }

        LogStarted(Logger, Name, _file.Path);
    }

    protected override async Task StopStoreAsync(CancellationToken cancellationToken)
    {
        // Waits for a write in flight, so it is never cut off by the connection closing under it.
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }

            _file.ClearReadPool();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    protected override async Task<StoredGrainState?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken)
    {
        var connection = await _file.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = Command(connection, $"SELECT etag, data FROM grain_state WHERE {KeyCondition}", key);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? new StoredGrainState(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1))
                    : null;
            }
        }
    }

    protected override Task<ConditionalWrite> WriteAsync(GrainStateKey key, string? expectedETag, StoredGrainState record, CancellationToken cancellationToken) =>
        InWriteTransactionAsync(key, expectedETag, cancellationToken, (writer, _) =>
        {
            using var upsert = Command(writer, """
                INSERT INTO grain_state (service_id, grain_id, state_name, etag, data, written_at)
                VALUES ($service_id, $grain_id, $state_name, $etag, $data, $written_at)
                ON CONFLICT (service_id, grain_id, state_name) DO UPDATE
                SET etag = excluded.etag, data = excluded.data, written_at = excluded.written_at
                """, key);
            upsert.Parameters.AddWithValue("$etag", record.ETag);
            upsert.Parameters.AddWithValue("$data", (object?)record.Json ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$written_at", GrainStateTimestamp.Now());
            upsert.ExecuteNonQuery();
        });

    protected override Task<ConditionalWrite> DeleteAsync(GrainStateKey key, string? expectedETag, CancellationToken cancellationToken) =>
        InWriteTransactionAsync(key, expectedETag, cancellationToken, (writer, stored) =>
        {
            if (stored is not null)
            {
                using var delete = Command(writer, $"DELETE FROM grain_state WHERE {KeyCondition}", key);
                delete.ExecuteNonQuery();
            }
        });

    protected override async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var connection = await _file.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM (SELECT 1 FROM grain_state LIMIT 1)";
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, GrainStateKey key)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$service_id", key.ServiceId);
        command.Parameters.AddWithValue("$grain_id", key.GrainId);
        command.Parameters.AddWithValue("$state_name", key.StateName);
        return command;
    }

    private SqliteConnection OpenWriter()
    {
        var writer = _file.OpenWriter();
        try
        {
            using var schema = writer.CreateCommand();
            schema.CommandText = Schema;
            schema.ExecuteNonQuery();
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> in a <c>BEGIN IMMEDIATE</c> transaction (holding the file's write lock from its
    /// start) when the stored ETag is <paramref name="expectedETag"/>, and commits; otherwise writes nothing. The
    /// blocking SQLite calls run on the thread pool, not on the grain's scheduler.
    /// </summary>
    private async Task<ConditionalWrite> InWriteTransactionAsync(
        GrainStateKey key, string? expectedETag, CancellationToken cancellationToken, Action<SqliteConnection, string?> write)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var writer = _writer ?? throw new InvalidOperationException($"Grain storage '{Name}' is not running.");
            return await Task.Run(() =>
            {
                using var transaction = writer.BeginTransaction(deferred: false);
                using var select = Command(writer, $"SELECT etag FROM grain_state WHERE {KeyCondition}", key);
                var stored = select.ExecuteScalar() as string;
                if (stored != expectedETag)
                {
                    return ConditionalWrite.Conflict(stored);
                }

                write(writer, stored);
                transaction.Commit();
                return ConditionalWrite.Done;
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Grain storage {Provider} keeps states in the SQLite file {Path}")]
    private static partial void LogStarted(ILogger logger, string provider, string path);
}
