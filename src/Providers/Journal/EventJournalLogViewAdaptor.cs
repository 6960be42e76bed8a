using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Orleans.EventSourcing;
using Orleans.EventSourcing.Common;
using Orleans.Runtime;
using UserData.Providers.Diagnostics;

namespace UserData.Providers.Journal;

/// <summary>
/// The log view adaptor of a journaled grain on an <see cref="IEventJournalStore"/>: every event is stored, at sequence
/// numbers 1, 2, ... of the grain's stream (its <see cref="GrainId"/>), and the confirmed view is the fold of them.
/// </summary>
/// <remarks>
/// <para>
/// Orleans' <see cref="PrimaryBasedLogViewAdaptor{TLogView, TLogEntry, TSubmissionEntry}"/> runs one read or write at a
/// time on the grain's scheduler (so no <c>ConfigureAwait(false)</c> here: the view is the grain's). A write appends the
/// pending batch at <c>ConfirmedVersion + 1..</c> with a conditional write and an append id. Its outcome is either known
/// (written, or taken by another writer: then the events that writer appended are read and 0 is returned, so the base
/// class fails stale conditional submissions) or unknown (the call failed): then the same batch is retried with the same
/// append id until the store answers, and finding our own append id at those sequence numbers is our success.
/// Storage failures never reach the grain: they are retried with Orleans' back-off, logged and recorded in
/// <c>LastPrimaryIssue</c> (the grain's <c>OnConnectionIssue</c>).
/// </para>
/// <para>
/// Snapshots: after <see cref="IEventJournalOptions.SnapshotInterval"/> events and once the activation deactivated, never
/// holding back an append's answer on failure. Activation reads the snapshot and the events after it, in pages. An
/// append holding an event that <see cref="IEventJournalOptions.ErasesHistory"/> recognizes is followed by the snapshot
/// as of that event and the erasure of every earlier event's content, before the append is confirmed; a replay that
/// finds such an event newer than the stored snapshot (the silo stopped in between) completes the erasure. The journal
/// is never cleared: <c>ClearLogAsync</c> is not supported (Orleans' default), since erasure keeps the sequence numbers
/// that fence writers.
/// </para>
/// <para>
/// Compaction (<see cref="IEventJournalOptions.CompactableThrough"/>): after each stored snapshot, the content of the
/// events the view no longer wants, up to the snapshot's version, is erased the same way, from where the previous
/// compaction ended. An activation takes the compaction of the snapshot it starts from as done; if the silo died between
/// storing that snapshot and compacting, that stretch keeps its content (unread) until the grain's history is erased.
/// </para>
/// </remarks>
internal sealed partial class EventJournalLogViewAdaptor<TLogView, TLogEntry>
    : PrimaryBasedLogViewAdaptor<TLogView, TLogEntry, SubmissionEntry<TLogEntry>>
    where TLogView : class, new()
    where TLogEntry : class
{
    /// <summary>Events read per storage call when replaying or retrieving a segment.</summary>
    internal const int PageSize = 1_000;

    private const string Store = "journal";

    private readonly IEventJournalStore _store;
    private readonly int _snapshotInterval;
    private readonly JsonTypeInfo<TLogEntry> _entryJson;
    private readonly JsonTypeInfo<TLogView> _viewJson;
    private readonly Func<object, bool>? _erasesHistory;
    private readonly Func<object, long>? _compactableThrough;
    private readonly Action<object, int>? _eventRead;
    private readonly ILogger _logger;
    private readonly string _stream;

    private TLogView _view = null!;
    private int _version;

    // The highest snapshot version known to be stored; -1 until the stored snapshot was read.
    private long _snapshotVersion = -1;

    // The events through this sequence number are known to have no content left (compacted or erased).
    private long _compactedThrough;

    public EventJournalLogViewAdaptor(
        ILogViewAdaptorHost<TLogView, TLogEntry> host,
        TLogView initialState,
        ILogConsistencyProtocolServices services,
        IEventJournalStore store,
        IEventJournalOptions options,
        DeactivationSnapshots deactivationSnapshots,
        ILogger logger)
        : base(host, initialState, services)
    {
        _store = store;
        _snapshotInterval = options.SnapshotInterval;
        // Looked up once per activation: the options are read-only and cache the contracts (generated ones when the
        // registration passes a source-generated resolver).
        _entryJson = (JsonTypeInfo<TLogEntry>)options.JsonSerializerOptions.GetTypeInfo(typeof(TLogEntry));
        _viewJson = (JsonTypeInfo<TLogView>)options.JsonSerializerOptions.GetTypeInfo(typeof(TLogView));
        _erasesHistory = options.ErasesHistory;
        _compactableThrough = options.CompactableThrough;
        _eventRead = options.EventRead;
        _logger = logger;
        _stream = services.GrainId.ToString();

        // Orleans 10.4.2 deactivates an adaptor through an internal interface that bypasses the PostOnDeactivate
        // override, so the deactivation snapshot follows the activation's Deactivated task instead.
        if (host is IGrainBase grain)
        {
            deactivationSnapshots.Track(SnapshotAfterDeactivationAsync(grain.GrainContext.Deactivated));
        }
    }

    /// <summary>
    /// The events with sequence numbers <paramref name="fromVersion"/>+1 .. <paramref name="toVersion"/>, read from storage
    /// in pages of that range only. Erased events are left out, so over an erased range the list is shorter than the range
    /// (empty when all of it was erased). Storage failures are thrown to the caller (a query, unlike the journal's own reads
    /// and writes, can fail).
    /// </summary>
    public override async Task<IReadOnlyList<TLogEntry>> RetrieveLogSegment(int fromVersion, int toVersion)
    {
        var segment = new List<TLogEntry>();
        for (long after = fromVersion; after < toVersion;)
        {
            var page = await ReadPageAsync(after, toVersion);
            segment.AddRange(page.Select(Deserialize));
            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Seq;
        }

        return segment;
    }

    protected override TLogView LastConfirmedView() => _view;

    protected override int GetConfirmedVersion() => _version;

    protected override void InitializeConfirmedView(TLogView initialstate)
    {
        _view = initialstate;
        _version = 0;
    }

    protected override SubmissionEntry<TLogEntry> MakeSubmissionEntry(TLogEntry entry) => new() { Entry = entry };

    protected override async Task ReadAsync()
    {
        while (true)
        {
            try
            {
                await CatchUpAsync();
                LastPrimaryIssue.Resolve(Host, Services);
                return;
            }
#pragma warning disable CA1031 // Orleans' contract: a read retries until it succeeds; the failure is recorded and logged.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                RecordFailure("read", exception);
            }

            await LastPrimaryIssue.DelayBeforeRetry();
        }
    }

    protected override async Task<int> WriteAsync()
    {
        var entries = GetCurrentBatchOfUpdates().Select(submission => submission.Entry!).ToList();
        var append = new JournalAppend(
            _stream, _version + 1, Guid.NewGuid().ToString("N"), entries.Select(entry => new NewEvent(TypeName(entry), Serialize(entry))).ToList());

        var result = await AppendUntilAnsweredAsync(append);
        if (result == AppendResult.Conflict)
        {
            ProviderInstruments.AddJournalConflict(_store.Provider);
            LogConflict(_logger, Services.GrainId, _version, entries.Count);
            await ReadAsync();
            return 0;
        }

        if (result == AppendResult.AlreadyAppended)
        {
            LogOwnAppendFound(_logger, Services.GrainId, append.FirstSeq, append.AppendId);
        }

        ProviderInstruments.AddJournalAppends(_store.Provider, entries.Count);
        StoredSnapshot? erasure = null;
        foreach (var entry in entries)
        {
            Apply(entry);
            if (ErasesHistory(entry))
            {
                erasure = new StoredSnapshot(_version, SerializeView());
            }
        }

        if (erasure is not null)
        {
            await EraseHistoryAsync(erasure);
        }

        if (_version - _snapshotVersion >= _snapshotInterval)
        {
            await TryWriteSnapshotAsync();
        }

        return entries.Count;
    }

    /// <summary>Appends, retrying the same append (same id) while the outcome is unknown.</summary>
    private async Task<AppendResult> AppendUntilAnsweredAsync(JournalAppend append)
    {
        while (true)
        {
            try
            {
                var result = await Measure("append", () => _store.AppendAsync(append));
                LastPrimaryIssue.Resolve(Host, Services);
                return result;
            }
#pragma warning disable CA1031 // The outcome is unknown: only a retry with the same append id can tell.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                RecordFailure("append", exception);
            }

            await LastPrimaryIssue.DelayBeforeRetry();
        }
    }

    /// <summary>
    /// Brings the view up to the end of the journal: the snapshot first (on the first read), then the events after the
    /// view's version, a page at a time. A hole before an event means the events in between were erased; the snapshot
    /// written before that erasure covers them. Throws on a storage failure; the view stays a fold of a prefix.
    /// </summary>
    private async Task CatchUpAsync()
    {
        if (_snapshotVersion < 0)
        {
            await LoadSnapshotAsync();
        }

        StoredSnapshot? erasure = null;
        IReadOnlyList<StoredEvent> page;
        do
        {
            page = await ReadPageAsync(_version, long.MaxValue);
            foreach (var stored in page)
            {
                if (stored.Seq > _version + 1)
                {
                    await LoadSnapshotAsync();
                    if (stored.Seq > _version + 1)
                    {
                        throw new InvalidDataException(
                            $"The journal of {_stream} has no events {_version + 1}..{stored.Seq - 1} and no snapshot covers them.");
                    }
                }

                if (stored.Seq <= _version)
                {
                    continue;
                }

                var entry = Deserialize(stored);
                _eventRead?.Invoke(entry, stored.Utf8Json.Length);
                Apply(entry);
                if (ErasesHistory(entry))
                {
                    erasure = new StoredSnapshot(_version, SerializeView());
                }
            }
        }
        while (page.Count == PageSize);

        // The erasure stores its snapshot first, so one newer than the stored snapshot may not have finished.
        if (erasure is not null && erasure.Version > _snapshotVersion)
        {
            await EraseHistoryAsync(erasure);
        }
    }

    /// <summary>Reads the stored snapshot and takes it as the view when it is ahead of it.</summary>
    private async Task LoadSnapshotAsync()
    {
        var snapshot = await Measure("read-snapshot", () => _store.ReadSnapshotAsync(_stream, CancellationToken.None));
        _snapshotVersion = Math.Max(_snapshotVersion, snapshot?.Version ?? 0);
        if (snapshot is not null && snapshot.Version > _version)
        {
            _view = JsonSerializer.Deserialize(snapshot.Json, _viewJson)
                ?? throw new InvalidDataException($"The snapshot of {_stream} at version {snapshot.Version} is null.");
            _version = checked((int)snapshot.Version);
            _compactedThrough = Math.Max(_compactedThrough, CompactableThrough());
        }
    }

    /// <summary>Stores the snapshot as of the erasing event, then erases every earlier event's content; retries until done.</summary>
    private async Task EraseHistoryAsync(StoredSnapshot snapshot)
    {
        while (true)
        {
            try
            {
                await Measure("write-snapshot", () => _store.WriteSnapshotAsync(_stream, snapshot));
                _snapshotVersion = Math.Max(_snapshotVersion, snapshot.Version);
                await Measure("redact", () => _store.RedactAsync(_stream, 0, snapshot.Version - 1, RedactionKind.Erasure));
                _compactedThrough = Math.Max(_compactedThrough, snapshot.Version - 1);
                LastPrimaryIssue.Resolve(Host, Services);
                LogErased(_logger, Services.GrainId, snapshot.Version - 1);
                return;
            }
#pragma warning disable CA1031 // The events are confirmed only once their erasure is done: retry until it is.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                RecordFailure("erase", exception);
            }

            await LastPrimaryIssue.DelayBeforeRetry();
        }
    }

    /// <summary>
    /// Once the activation is gone (its journal worker idle, no more grain turns), stores the snapshot of its last view
    /// unless a snapshot of that version is known to be stored. The view is a fold of the stored journal, so it is a
    /// correct snapshot even when a newer activation runs meanwhile; an older snapshot never replaces a newer one.
    /// </summary>
    private async Task SnapshotAfterDeactivationAsync(Task deactivated)
    {
        await deactivated.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_snapshotVersion >= 0 && _version > _snapshotVersion)
        {
            await TryWriteSnapshotAsync();
        }
    }

    /// <summary>
    /// One attempt, then the compaction it allows: the events are durable, so a missed snapshot only makes the next replay
    /// longer, and a missed compaction is done by the next snapshot's.
    /// </summary>
    private async Task TryWriteSnapshotAsync()
    {
        var version = _version;
        var compactable = CompactableThrough();
        try
        {
            var snapshot = new StoredSnapshot(version, SerializeView());
            await Measure("write-snapshot", () => _store.WriteSnapshotAsync(_stream, snapshot));
            _snapshotVersion = Math.Max(_snapshotVersion, version);
        }
#pragma warning disable CA1031 // See above: logged, not retried.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogSnapshotFailed(_logger, exception, Services.GrainId, version);
            return;
        }

        if (compactable > _compactedThrough)
        {
            await TryCompactAsync(compactable);
        }
    }

    /// <summary>Erases the content of the events after the last compaction through <paramref name="throughSeq"/>, which a stored snapshot covers.</summary>
    private async Task TryCompactAsync(long throughSeq)
    {
        var afterSeq = _compactedThrough;
        try
        {
            await Measure("compact", () => _store.RedactAsync(_stream, afterSeq, throughSeq, RedactionKind.Compaction));
            _compactedThrough = Math.Max(_compactedThrough, throughSeq);
            LogCompacted(_logger, Services.GrainId, afterSeq, throughSeq);
        }
#pragma warning disable CA1031 // The content stays until the next snapshot's compaction, which starts from the same place.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogCompactionFailed(_logger, exception, Services.GrainId, afterSeq, throughSeq);
        }
    }

    /// <summary>Where the view, as of now, lets its history be compacted: never past its own version.</summary>
    private long CompactableThrough() => _compactableThrough is null ? 0 : Math.Clamp(_compactableThrough(_view), 0, _version);

    private void Apply(TLogEntry entry)
    {
        try
        {
            Host.UpdateView(_view, entry);
        }
#pragma warning disable CA1031 // Orleans' adaptors report a failing transition and go on: the event is confirmed.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Services.CaughtUserCodeException("UpdateView", nameof(Apply), exception);
        }

        _version++;
    }

    private bool ErasesHistory(TLogEntry entry) => _erasesHistory?.Invoke(entry) == true;

    private void RecordFailure(string operation, Exception exception)
    {
        LastPrimaryIssue.Record(new JournalOperationFailed { Operation = operation, Exception = exception }, Host, Services);
        var issue = LastPrimaryIssue.Issue!;
        LogRetrying(_logger, exception, operation, Services.GrainId, _version, issue.NumberOfConsecutiveFailures, issue.RetryDelay);
    }

    /// <summary>Up to a page of the events after <paramref name="after"/> through <paramref name="through"/>, timed and counted.</summary>
    private async Task<IReadOnlyList<StoredEvent>> ReadPageAsync(long after, long through)
    {
        var page = await Measure("read", () => _store.ReadAsync(_stream, after, through, PageSize, CancellationToken.None));
        ProviderInstruments.AddJournalEventsRead(_store.Provider, page.Count);
        return page;
    }

    private Task<T> Measure<T>(string operation, Func<Task<T>> call) => ProviderInstruments.MeasureAsync(_store.Provider, Store, operation, call);

    private Task Measure(string operation, Func<Task> call) => ProviderInstruments.MeasureAsync(_store.Provider, Store, operation, call);

    /// <summary>Serialized as the base type, so the event's declared type discriminator is written.</summary>
    private string Serialize(TLogEntry entry) => JsonSerializer.Serialize(entry, _entryJson);

    private string SerializeView() => JsonSerializer.Serialize(_view, _viewJson);

    private TLogEntry Deserialize(StoredEvent stored) =>
        JsonSerializer.Deserialize(stored.Utf8Json.Span, _entryJson)
        ?? throw new InvalidDataException($"Event {stored.Seq} of {_stream} is null.");

    /// <summary>The type discriminator the base type declares for the event's type, or the type's name when it declares none.</summary>
    private string TypeName(TLogEntry entry)
    {
        var type = entry.GetType();
        var declared = _entryJson.PolymorphismOptions?.DerivedTypes
            .FirstOrDefault(derived => derived.DerivedType == type).TypeDiscriminator;
        return declared?.ToString() ?? type.Name;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal append to {GrainId} after version {Version} ({Events} events) conflicted: another writer appended first; reading its events")]
    private static partial void LogConflict(ILogger logger, GrainId grainId, int version, int events);

    [LoggerMessage(Level = LogLevel.Information, Message = "Journal append to {GrainId} at {FirstSeq} (append id {AppendId}) had been stored by an earlier attempt whose answer was lost")]
    private static partial void LogOwnAppendFound(ILogger logger, GrainId grainId, long firstSeq, string appendId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal {Operation} for {GrainId} at version {Version} failed ({Failures} in a row); retrying in {RetryDelay}")]
    private static partial void LogRetrying(ILogger logger, Exception exception, string operation, GrainId grainId, int version, int failures, TimeSpan retryDelay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Snapshot of {GrainId} at version {Version} failed; the next replay starts from the previous one")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception exception, GrainId grainId, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Erased the content of the events of {GrainId} through {ThroughSeq}")]
    private static partial void LogErased(ILogger logger, GrainId grainId, long throughSeq);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Compacted the history of {GrainId}: the content of events {AfterSeq} < seq <= {ThroughSeq} is erased")]
    private static partial void LogCompacted(ILogger logger, GrainId grainId, long afterSeq, long throughSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compacting the history of {GrainId} ({AfterSeq} < seq <= {ThroughSeq}) failed; the next snapshot tries again")]
    private static partial void LogCompactionFailed(ILogger logger, Exception exception, GrainId grainId, long afterSeq, long throughSeq);
}
