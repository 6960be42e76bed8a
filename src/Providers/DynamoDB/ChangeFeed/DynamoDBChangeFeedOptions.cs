namespace UserData.Providers.DynamoDB.ChangeFeed;

/// <summary>Where a change feed consumer on DynamoDB reads (the journal table's stream) and keeps its checkpoints.</summary>
public sealed class DynamoDBChangeFeedOptions : DynamoDBProviderOptions
{
    /// <summary>The event journal's table, whose DynamoDB Streams is the feed.</summary>
    public string JournalTableName { get; set; } = "userdata-journal";

    /// <summary>The table of leases, checkpoints and erasures (created when missing unless <see cref="DynamoDBProviderOptions.CreateTables"/> is off).</summary>
    public string CheckpointTableName { get; set; } = "userdata-change-feed";

}
