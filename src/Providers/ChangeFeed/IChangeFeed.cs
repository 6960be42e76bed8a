namespace UserData.Providers.ChangeFeed;

/// <summary>
/// The event journal's changes in the order they were committed, for consumers outside the grains (the data lake). A
/// feed is split into shards (SQLite: one, the journal in commit order; DynamoDB: the journal table's Streams shards),
/// each read from a position after the last one consumed. Delivery is at least once: a consumer that replays from an
/// older position gets the same records again, so it must make its effect idempotent.
/// </summary>
public interface IChangeFeed
{
    /// <summary>Names the feed's source in logs, metrics and the checkpoint store: <c>sqlite-journal</c> or <c>dynamodb-streams</c>.</summary>
    string Name { get; }

    /// <summary>The shards there are now; a shard whose <see cref="FeedShard.ParentId"/> is listed must be read only after its parent ended.</summary>
    Task<IReadOnlyList<FeedShard>> ListShardsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records of <paramref name="shard"/> after <paramref name="after"/> (null: from the oldest it holds) and, when
    /// <paramref name="through"/> is given, at or before it; at most <paramref name="maxRecords"/>. An empty page of a
    /// shard that has not ended means nothing newer is there yet.
    /// </summary>
    Task<FeedPage> ReadAsync(FeedShard shard, string? after, string? through, int maxRecords, CancellationToken cancellationToken);
}

/// <summary>A shard of a feed; <paramref name="ParentId"/> is the shard it continues (DynamoDB Streams splits shards).</summary>
public sealed record FeedShard(string Id, string? ParentId);

/// <summary>
/// One journal entry as committed: the events of one append (SQLite: one event per record) from <see cref="FirstSeq"/>
/// on. An event whose content was erased is null. <see cref="Position"/> orders the records of a shard; a consumer
/// checkpoints it.
/// </summary>
public sealed record FeedRecord(string Position, string Stream, long FirstSeq, DateTimeOffset WrittenAt, IReadOnlyList<string?> Events);

/// <summary>Records read from a shard; <see cref="ShardEnded"/> when the shard is closed and nothing after these remains in it.</summary>
public sealed record FeedPage(IReadOnlyList<FeedRecord> Records, bool ShardEnded)
{
    /// <summary>
    /// The last position this page consumed: the last record's, or later when the feed passed over positions that carry
    /// no event (DynamoDB: erasure's changes to items). Null when the page consumed nothing.
    /// </summary>
    public string? LastPosition { get; init; }
}
