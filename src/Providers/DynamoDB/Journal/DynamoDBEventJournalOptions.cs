using System.Text.Json;
using Orleans.Runtime;
using UserData.Providers.Journal;

namespace UserData.Providers.DynamoDB.Journal;

/// <summary>Settings of an event journal on DynamoDB.</summary>
public sealed class DynamoDBEventJournalOptions : DynamoDBProviderOptions, IEventJournalOptions
{
    /// <summary>The table of events (one item per append); created with DynamoDB Streams on (new and old images) for the change feed.</summary>
    public string JournalTableName { get; set; } = "userdata-journal";

    /// <summary>The table of snapshots (a head item, and chunk items for a large snapshot).</summary>
    public string SnapshotTableName { get; set; } = "userdata-snapshots";

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

    internal static void Validate(DynamoDBEventJournalOptions options, string journal)
    {
        options.Validate(journal);
        ValidateTableName(journal, nameof(JournalTableName), options.JournalTableName);
        ValidateTableName(journal, nameof(SnapshotTableName), options.SnapshotTableName);
        if (options.JournalTableName == options.SnapshotTableName)
        {
            throw new OrleansConfigurationException($"{journal}: JournalTableName and SnapshotTableName must differ, not both '{options.JournalTableName}'.");
        }
    }
}
