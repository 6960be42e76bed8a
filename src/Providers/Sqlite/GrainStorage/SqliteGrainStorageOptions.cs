using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace UserData.Providers.Sqlite.GrainStorage;

/// <summary>Settings of a SQLite grain storage (<see cref="SqliteGrainStorageExtensions"/>).</summary>
public sealed class SqliteGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>The database file; relative to the working directory; created (owner-only) with its folder when missing. The journal may use the same file.</summary>
    public string Path { get; set; } = "data/userdata.db";

    /// <summary>How long a write waits for a lock another connection or process holds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether clearing a state deletes its row; otherwise the row stays with no state and a new ETag.</summary>
    public bool DeleteStateOnClear { get; set; }

    /// <summary>
    /// Serializes states to UTF-8 JSON text. Defaults to the <see cref="IGrainStorageSerializer"/> registered under the
    /// provider's name, else Orleans' <see cref="SystemTextJsonGrainStorageSerializer"/>.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}

/// <summary>Checks a SQLite grain storage's settings at silo start.</summary>
internal sealed class SqliteGrainStorageOptionsValidator(SqliteGrainStorageOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var provider = $"SQLite grain storage '{name}'";
        if (!IsFilePath(options.Path))
        {
            throw new OrleansConfigurationException($"{provider}: Path must name a database file, not '{options.Path}'.");
        }

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw new OrleansConfigurationException($"{provider}: BusyTimeout must be positive and at most {TimeSpan.FromMilliseconds(int.MaxValue)}, not {options.BusyTimeout}.");
        }

        if (options.GrainStorageSerializer is null)
        {
            throw new OrleansConfigurationException($"{provider}: GrainStorageSerializer is not set.");
        }
    }

    private static bool IsFilePath(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || Path.EndsInDirectorySeparator(path))
        {
            return false;
        }

        try
        {
            return !Directory.Exists(Path.GetFullPath(path));
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
