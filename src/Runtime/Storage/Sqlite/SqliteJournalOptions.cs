using System.ComponentModel.DataAnnotations;

namespace UserData.Runtime.Storage.Sqlite;

/// <summary>Settings of the SQLite journal (configuration section <c>Storage:Sqlite</c>).</summary>
public sealed class SqliteJournalOptions
{
    public const string SectionName = "Storage:Sqlite";

    /// <summary>The database file; a relative path is resolved against the working directory. Its folder is created if missing.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "data/userdata.db";

    /// <summary>
    /// How many writes (appends and snapshots) one transaction may group. 1 commits every append on its own;
    /// larger values share one durable commit (one fsync) among all the writes waiting for it.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>How long a statement waits for a lock held by another process (an operator's sqlite3 shell, a backup).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
