using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using UserData.Providers.Journal;
using UserData.Providers.Sqlite.Journal;

namespace UserData.Providers.Tests.Journal;

/// <summary>The journal in a real SQLite file in a temporary folder of its own, deleted on dispose.</summary>
public sealed class SqliteJournalBackend : JournalBackend
{
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-journal-").FullName;
    private readonly List<SqliteEventJournalStore> _stores = [];

    public string DatabasePath => Path.Combine(_folder, "journal.db");

    public override string Provider => "sqlite";

    public override void AddJournal(ISiloBuilder silo, Action<IEventJournalOptions> configure) =>
        silo.AddSqliteEventJournal(ProviderName, options =>
        {
            options.Path = DatabasePath;
            configure(options);
        });

    internal override async Task<IEventJournalStore> OpenStoreAsync() => await OpenAsync();

    internal async Task<SqliteEventJournalStore> OpenAsync(string? path = null, int maxBatchSize = 512)
    {
        var store = new SqliteEventJournalStore(
            new SqliteEventJournalOptions { Path = path ?? DatabasePath, MaxBatchSize = maxBatchSize }, NullLogger<SqliteEventJournalStore>.Instance);
        _stores.Add(store);
        await store.StartAsync(CancellationToken.None);
        return store;
    }

    /// <summary>Every row of both tables as text, and the raw bytes of the database file and its write-ahead log.</summary>
    public override async Task<bool> StoresTextAsync(string text)
    {
        await using (var connection = await OpenRawAsync())
        {
            foreach (var table in new[] { "journal_events", "journal_snapshots" })
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT * FROM {table}";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    for (var column = 0; column < reader.FieldCount; column++)
                    {
                        if (!reader.IsDBNull(column) && reader.GetValue(column).ToString()!.Contains(text, StringComparison.Ordinal))
                        {
                            return true;
                        }
                    }
                }
            }
        }

        var needle = Encoding.UTF8.GetBytes(text);
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal" }.Where(File.Exists))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var bytes = new MemoryStream();
            await stream.CopyToAsync(bytes);
            if (bytes.GetBuffer().AsSpan(0, (int)bytes.Length).IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A plain connection to the file, as an operator's sqlite3 shell would open it.</summary>
    public async Task<SqliteConnection> OpenRawAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.StopAsync(CancellationToken.None);
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
