using System.Text.Json;
using Orleans.Runtime;
using UserData.Providers.Journal;

namespace UserData.Providers.Sqlite.Journal;

/// <summary>Settings of an event journal in an SQLite file.</summary>
public sealed class SqliteEventJournalOptions : IEventJournalOptions
{
    /// <summary>The database file (shared with the SQLite grain storage, which has tables of its own); a relative path is resolved against the working directory.</summary>
    public string Path { get; set; } = "data/userdata.db";

    /// <summary>How long a write waits for a lock another connection or process holds (the grain storage, an operator's sqlite3 shell).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many writes (appends, snapshots, erasures) one transaction may group. Larger values let the writes waiting for
    /// a commit share one fsync; 1 commits each on its own.
    /// </summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <inheritdoc/>
    public int SnapshotInterval { get; set; } = 100;

    /// <inheritdoc/>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = EventJournalJson.CreateDefaultOptions();

    /// <inheritdoc/>
    public Func<object, bool>? ErasesHistory { get; set; }

    /// <inheritdoc/>
    public Func<object, long>? CompactableThrough { get; set; }

    /// <inheritdoc/>
    public Action<object, int>? EventRead { get; set; }

    internal static void Validate(SqliteEventJournalOptions options, string journal)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new OrleansConfigurationException($"{journal}: Path must name the SQLite database file.");
        }

        if (options.BusyTimeout < TimeSpan.FromSeconds(1) || options.BusyTimeout > TimeSpan.FromHours(1))
        {
            throw new OrleansConfigurationException($"{journal}: BusyTimeout must be between 1 second and 1 hour, not {options.BusyTimeout}.");
        }

        if (options.MaxBatchSize is < 1 or > 100_000)
        {
            throw new OrleansConfigurationException($"{journal}: MaxBatchSize must be between 1 and 100000, not {options.MaxBatchSize}.");
        }
    }
}
