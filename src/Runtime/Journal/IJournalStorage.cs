using UserData.Runtime.Grains;

namespace UserData.Runtime.Journal;

/// <summary>
/// The storage port of journaled grains: an append-only event log per grain plus its newest snapshot.
/// Events and snapshots are UTF-8 JSON documents, stored readable.
/// </summary>
public interface IJournalStorage
{
    /// <summary>Short name of the adapter in logs and metrics (<c>sqlite</c>, <c>dynamodb</c>).</summary>
    string Provider { get; }

    /// <summary>
    /// Appends <paramref name="events"/> at sequence numbers <c>expectedVersion + 1 ..</c>, all or none,
    /// and only if none of those numbers exists yet. Returns once the append is durable.
    /// <paramref name="expectedVersion"/> is always the end of an earlier append (or 0): the version an
    /// activation reached by replaying whole appends. Adapters may rely on that to fence with one
    /// conditional write on the append's first sequence number.
    /// </summary>
    /// <exception cref="JournalConflictException">Another writer already used one of those sequence numbers.</exception>
    Task AppendAsync(GrainId grainId, long expectedVersion, IReadOnlyList<string> events, CancellationToken cancellationToken = default);

    /// <summary>Events with sequence numbers above <paramref name="afterSeq"/>, in order, at most <paramref name="maxCount"/>.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAsync(GrainId grainId, long afterSeq, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Erases the content of the events up to <paramref name="throughSeq"/> (the right to erasure) but keeps
    /// their sequence numbers, so they still fence a stale activation's append. Reads skip redacted events.
    /// </summary>
    Task RedactAsync(GrainId grainId, long throughSeq, CancellationToken cancellationToken = default);

    /// <summary>The newest snapshot, or null when none was written.</summary>
    Task<StoredSnapshot?> ReadSnapshotAsync(GrainId grainId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the snapshot unless a newer one (a higher version) is already stored.</summary>
    Task WriteSnapshotAsync(GrainId grainId, StoredSnapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary>Answers when the store is reachable (readiness).</summary>
    Task CheckHealthAsync(CancellationToken cancellationToken = default);
}

/// <summary>One journal entry: its sequence number, when it was written, and the event's JSON.</summary>
public sealed record StoredEvent(long Seq, DateTimeOffset WrittenAt, string Json);

/// <summary>A grain's state as of <see cref="Version"/> (the sequence number of the last event it includes), as JSON.</summary>
public sealed record StoredSnapshot(long Version, string Json);
