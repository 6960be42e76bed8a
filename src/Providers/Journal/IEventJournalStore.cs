namespace UserData.Providers.Journal;

/// <summary>
/// The storage port of the event journal: per stream (a grain id) an append-only sequence of events numbered 1, 2, ...
/// and the stream's newest snapshot. The SQLite and DynamoDB stores implement it; the log view adaptor is the only caller.
/// Events and snapshots are UTF-8 JSON text.
/// </summary>
internal interface IEventJournalStore
{
    /// <summary>Short name of the backend in logs and metrics: <c>sqlite</c> or <c>dynamodb</c>.</summary>
    string Provider { get; }

    /// <summary>Prepares the store (opens the file, makes sure the tables exist); called once at silo start.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Finishes what is queued and releases the store; called at silo stop, after the grains deactivated.</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes <see cref="JournalAppend.Events"/> at <see cref="JournalAppend.FirstSeq"/>.. atomically, and only if none of
    /// those sequence numbers is taken. The task completes once the append is durable. When they are taken, the entry at
    /// <see cref="JournalAppend.FirstSeq"/> tells a retry of this very append (same append id: <see cref="AppendResult.AlreadyAppended"/>)
    /// from another writer's (<see cref="AppendResult.Conflict"/>). A failure means the outcome is unknown: retry the same append.
    /// </summary>
    /// <remarks><see cref="JournalAppend.FirstSeq"/> is always one more than the end of an earlier append (or 1).</remarks>
    Task<AppendResult> AppendAsync(JournalAppend append);

    /// <summary>
    /// The events with <paramref name="afterSeq"/> &lt; seq &lt;= <paramref name="throughSeq"/> that still hold content
    /// (erased ones are skipped), in order, at most <paramref name="maxCount"/>; fewer only when the range holds no more.
    /// Reads only that range from storage.
    /// </summary>
    Task<IReadOnlyList<StoredEvent>> ReadAsync(string stream, long afterSeq, long throughSeq, int maxCount, CancellationToken cancellationToken);

    /// <summary>The stream's newest snapshot, or null when none was written.</summary>
    Task<StoredSnapshot?> ReadSnapshotAsync(string stream, CancellationToken cancellationToken);

    /// <summary>Stores the snapshot unless one of the same or a higher version is stored: a snapshot never goes backwards.</summary>
    Task WriteSnapshotAsync(string stream, StoredSnapshot snapshot);

    /// <summary>
    /// Erases the content of the events with <paramref name="afterSeq"/> &lt; seq &lt;= <paramref name="throughSeq"/> and keeps
    /// their entries and sequence numbers, so they still fence a stale writer. Looks only at that range, so a caller that
    /// knows the events through <paramref name="afterSeq"/> erased spares the store the rest. Idempotent.
    /// </summary>
    Task RedactAsync(string stream, long afterSeq, long throughSeq, RedactionKind kind);

    /// <summary>Completes when the store answers; throws what is wrong otherwise.</summary>
    Task CheckHealthAsync(CancellationToken cancellationToken);
}

/// <summary>One append: a batch of events written together, identified by <see cref="AppendId"/> so a retry is recognized.</summary>
internal sealed record JournalAppend(string Stream, long FirstSeq, string AppendId, IReadOnlyList<NewEvent> Events)
{
    public long LastSeq => FirstSeq + Events.Count - 1;
}

/// <summary>An event to append: its type (the JSON type discriminator, for readers of the store) and its JSON.</summary>
internal sealed record NewEvent(string Type, string Json);

/// <summary>Why event content is erased, which decides how thoroughly the store scrubs it.</summary>
internal enum RedactionKind
{
    /// <summary>The right to erasure: no byte of the content may stay anywhere in the store's files (SQLite checkpoints its write-ahead log).</summary>
    Erasure,

    /// <summary>History the view no longer wants: the content leaves the journal; its files are scrubbed in their own time.</summary>
    Compaction,
}

internal enum AppendResult
{
    /// <summary>This call wrote the append.</summary>
    Appended,

    /// <summary>An earlier attempt of the same append (same append id) had written it; its answer was lost.</summary>
    AlreadyAppended,

    /// <summary>Another writer took the sequence numbers first; nothing was written.</summary>
    Conflict,
}

/// <summary>An event read back: its sequence number and its JSON as UTF-8, as the stores hold it and the deserializer reads it.</summary>
internal sealed record StoredEvent(long Seq, ReadOnlyMemory<byte> Utf8Json);

/// <summary>A stream's state as of <see cref="Version"/> (the sequence number of the last event it includes), as JSON.</summary>
internal sealed record StoredSnapshot(long Version, string Json);
