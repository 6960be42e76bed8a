namespace UserData.Providers.ChangeFeed;

/// <summary>
/// A change feed consumer's durable state, kept beside the journal (SQLite: tables in its file; DynamoDB: a table): per
/// shard a lease, the position consumed through, and the batch being written when there is one; and the streams whose
/// history was erased. Every write a lease holder makes is conditional on still holding the lease, so a worker that lost
/// it (paused, partitioned) cannot move the checkpoint or start a batch.
/// </summary>
/// <remarks>
/// A lease is free when it has no owner. Otherwise it expires by not being renewed: each renewal increments
/// <see cref="ShardCheckpoint.Counter"/>, and a contender that has seen the same counter for the lease duration of its
/// own clock claims it with a write conditional on that counter. No clocks are compared between machines.
/// </remarks>
public interface IChangeFeedCheckpoints
{
    /// <summary>Short name of the backend in logs: <c>sqlite</c> or <c>dynamodb</c>.</summary>
    string Provider { get; }

    /// <summary>Makes sure the tables exist; called once before first use.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>The state of every shard <paramref name="consumer"/> has claimed.</summary>
    Task<IReadOnlyList<ShardCheckpoint>> ListShardsAsync(string consumer, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="owner"/> the lease holder of <paramref name="shard"/> if the stored counter still is
    /// <paramref name="expectedCounter"/> (null: the shard has no state yet). Returns the new state, or null when another
    /// worker changed it first.
    /// </summary>
    Task<ShardCheckpoint?> TryClaimAsync(string consumer, string shard, string owner, long? expectedCounter, CancellationToken cancellationToken);

    /// <summary>Renews the lease if <paramref name="owner"/> still holds it: the new counter, or null when it was lost.</summary>
    Task<long?> TryRenewAsync(string consumer, string shard, string owner, CancellationToken cancellationToken);

    /// <summary>Records the batch about to be written (positions after <paramref name="after"/> through <paramref name="through"/>); false when the lease was lost.</summary>
    Task<bool> TryBeginBatchAsync(string consumer, string shard, string owner, string? after, string through, CancellationToken cancellationToken);

    /// <summary>Moves the checkpoint to <paramref name="position"/> and clears the batch; false when the lease was lost.</summary>
    Task<bool> TryCommitAsync(string consumer, string shard, string owner, string position, bool shardEnded, CancellationToken cancellationToken);

    /// <summary>Gives the lease up (graceful stop), so another worker claims it at once.</summary>
    Task ReleaseAsync(string consumer, string shard, string owner, CancellationToken cancellationToken);

    /// <summary>Remembers that <paramref name="stream"/>'s history was erased (idempotent).</summary>
    Task RecordErasureAsync(string consumer, string stream, CancellationToken cancellationToken);

    /// <summary>Every erased stream, and whether its erasure was carried out downstream (<see cref="MarkErasureAppliedAsync"/>).</summary>
    Task<IReadOnlyList<ErasedStream>> ListErasuresAsync(string consumer, CancellationToken cancellationToken);

    /// <summary>Notes that the consumer carried out the erasure of <paramref name="stream"/> (it still filters the stream).</summary>
    Task MarkErasureAppliedAsync(string consumer, string stream, CancellationToken cancellationToken);
}

/// <summary>
/// A shard's consumer state. <see cref="Position"/> is the last position consumed (null: none yet). A batch was being
/// written when <see cref="PendingThrough"/> is set: it covers the positions after <see cref="PendingAfter"/> through it,
/// and must be written again exactly so before anything else.
/// </summary>
public sealed record ShardCheckpoint(
    string Shard, string? Owner, long Counter, string? Position, string? PendingAfter, string? PendingThrough, bool Ended);

/// <summary>A stream whose history was erased; <see cref="Applied"/> once the consumer removed it from what it holds.</summary>
public sealed record ErasedStream(string Stream, bool Applied);
