using Microsoft.Data.Sqlite;

namespace UserData.Providers.Sqlite;

/// <summary>
/// One SQLite database file as the SQLite providers use it: WAL mode, <c>synchronous = FULL</c> (a write is acknowledged
/// only once it is on disk), readable and writable by the owner alone. The grain storage and the journal may share a file.
/// </summary>
public sealed class SqliteDatabaseFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <param name="path">The file; a relative path is resolved against the working directory. Its folder is created if missing.</param>
    /// <param name="busyTimeout">How long a statement waits for a lock another connection or process holds.</param>
    public SqliteDatabaseFile(string path, TimeSpan busyTimeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        BusyTimeout = busyTimeout;

        // Microsoft.Data.Sqlite retries busy statements for its command timeout, in whole seconds.
        var timeoutSeconds = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds));
        WriteConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = timeoutSeconds,
        }.ToString();
        ReadConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadOnly,
            DefaultTimeout = timeoutSeconds,
        }.ToString();
    }

    public string Path { get; }

    public TimeSpan BusyTimeout { get; }

    /// <summary>A connection string for a writer: unpooled (a writer holds its connection for its lifetime).</summary>
    public string WriteConnectionString { get; }

    /// <summary>A connection string for pooled read-only connections, which WAL lets run beside the writer.</summary>
    public string ReadConnectionString { get; }

    /// <summary>
    /// Opens a write connection, creating the folder and the file when missing, in WAL mode with <c>synchronous = FULL</c>,
    /// and restricts the file (and its -wal and -shm companions) to the owner.
    /// </summary>
    public SqliteConnection OpenWriter()
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var connection = new SqliteConnection(WriteConnectionString);
        try
        {
            connection.Open();
            using (var pragmas = connection.CreateCommand())
            {
                pragmas.CommandText = $"PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = {(long)BusyTimeout.TotalMilliseconds};";
                pragmas.ExecuteNonQuery();
            }

            RestrictToOwner();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Opens a pooled read-only connection.</summary>
    public async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ReadConnectionString);
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

    /// <summary>Closes the pooled read connections, so the file is not held open once its provider is gone.</summary>
    public void ClearReadPool()
    {
        using var connection = new SqliteConnection(ReadConnectionString);
        SqliteConnection.ClearPool(connection);
    }

    private void RestrictToOwner()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            if (File.Exists(file) && (File.GetUnixFileMode(file) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(file, OwnerOnly);
            }
        }
    }
}
