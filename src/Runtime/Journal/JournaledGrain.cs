using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;

namespace UserData.Runtime.Journal;

/// <summary>
/// A grain whose state is the fold of an event journal. A command validates against <see cref="State"/>,
/// then calls <see cref="RaiseEventsAsync"/>: the events are appended at <c>Version + 1 ..</c> with a
/// conditional write, and only once that is durable are they applied. If another activation appended
/// first, this one is stale: it deactivates and the runtime retries the call once on a fresh activation.
/// </summary>
public abstract partial class JournaledGrain<TState, TEvent> : Grain
    where TState : class, IJournaledState<TEvent>, new()
    where TEvent : class
{
    private const int ReplayPageSize = 1_000;

    private IJournalStorage? _storage;
    private long _snapshotVersion;
    private int _snapshotInterval;
    private bool _stale;

    /// <summary>The state as of <see cref="Version"/>. Change it only through events.</summary>
    protected TState State { get; private set; } = new();

    /// <summary>Sequence number of the last event applied (0 for a grain with no events).</summary>
    protected long Version { get; private set; }

    /// <summary>How events and the state are written as JSON (override for source-generated metadata).</summary>
    protected virtual JsonSerializerOptions JsonOptions => JournalJson.Options;

    private IJournalStorage Storage => _storage ?? throw new InvalidOperationException("The journal is read on activation.");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storage = Context.Services.GetRequiredService<IJournalStorage>();
        _snapshotInterval = Context.Services.GetRequiredService<IOptions<GrainRuntimeOptions>>().Value.SnapshotInterval;
        if (await Storage.ReadSnapshotAsync(GrainId, cancellationToken).ConfigureAwait(false) is { } snapshot)
        {
            State = JsonSerializer.Deserialize<TState>(snapshot.Json, JsonOptions)
                ?? throw new InvalidDataException($"The snapshot of {GrainId} at version {snapshot.Version} is null.");
            Version = _snapshotVersion = snapshot.Version;
        }

        IReadOnlyList<StoredEvent> page;
        do
        {
            page = await Storage.ReadAsync(GrainId, Version, ReplayPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var stored in page)
            {
                State.Apply(Deserialize(stored));
                Version = stored.Seq;
            }
        }
        while (page.Count == ReplayPageSize);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A stale activation's state is behind the journal: its snapshot would be correct but useless.
        if (!_stale && reason != DeactivationReason.Stale && Version > _snapshotVersion)
        {
            await WriteSnapshotAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected Task RaiseEventAsync(TEvent @event) => RaiseEventsAsync([@event]);

    /// <summary>Appends the events durably, then applies them. Nothing is applied if the append fails.</summary>
    /// <exception cref="StaleActivationException">Another activation appended first; the runtime retries the call once.</exception>
    protected async Task RaiseEventsAsync(IReadOnlyList<TEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        if (_stale)
        {
            throw new StaleActivationException($"Activation of {GrainId} is stale and deactivating.");
        }

        var json = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            json[i] = JsonSerializer.Serialize(events[i], JsonOptions);
        }

        try
        {
            await Storage.AppendAsync(GrainId, Version, json).ConfigureAwait(false);
        }
        catch (JournalConflictException conflict)
        {
            MarkStale();
            throw new StaleActivationException($"Activation of {GrainId} is stale: {conflict.Message}", conflict);
        }
        catch
        {
            // The append's outcome is unknown: only a fresh activation's replay knows the truth.
            MarkStale();
            throw;
        }

        foreach (var @event in events)
        {
            State.Apply(@event);
        }

        Version += events.Count;
        if (Version - _snapshotVersion >= _snapshotInterval)
        {
            await WriteSnapshotAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The right to erasure: after the events that erased the data were raised, stores <see cref="State"/> as the
    /// snapshot and erases the content of every event up to <see cref="Version"/>, so storage holds nothing of the
    /// earlier data. The sequence numbers stay, so the journal still fences stale activations.
    /// </summary>
    protected async Task EraseHistoryAsync()
    {
        await Storage.WriteSnapshotAsync(GrainId, new StoredSnapshot(Version, JsonSerializer.Serialize(State, JsonOptions))).ConfigureAwait(false);
        _snapshotVersion = Version;
        await Storage.RedactAsync(GrainId, Version).ConfigureAwait(false);
    }

    /// <summary>This grain's events after <paramref name="afterSeq"/>, oldest first (the audit trail).</summary>
    protected async Task<IReadOnlyList<JournalEntry<TEvent>>> ReadJournalAsync(long afterSeq, int maxCount, CancellationToken cancellationToken = default)
    {
        var stored = await Storage.ReadAsync(GrainId, afterSeq, maxCount, cancellationToken).ConfigureAwait(false);
        return stored.Select(entry => new JournalEntry<TEvent>(entry.Seq, entry.WrittenAt, Deserialize(entry))).ToList();
    }

    private void MarkStale()
    {
        _stale = true;
        Context.RequestDeactivation(DeactivationReason.Stale);
    }

    private TEvent Deserialize(StoredEvent stored) =>
        JsonSerializer.Deserialize<TEvent>(stored.Json, JsonOptions)
        ?? throw new InvalidDataException($"Event {stored.Seq} of {GrainId} is null.");

    private async Task WriteSnapshotAsync(CancellationToken cancellationToken)
    {
        var snapshot = new StoredSnapshot(Version, JsonSerializer.Serialize(State, JsonOptions));
        try
        {
            await Storage.WriteSnapshotAsync(GrainId, snapshot, cancellationToken).ConfigureAwait(false);
            _snapshotVersion = snapshot.Version;
        }
#pragma warning disable CA1031 // The events are durable; a missed snapshot only makes the next replay longer.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogSnapshotFailed(Context.Services.GetRequiredService<ILogger<JournaledGrain<TState, TEvent>>>(), exception, GrainId, Version);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Snapshot of {GrainId} at version {Version} failed; replay will start from the previous one")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception exception, GrainId grainId, long version);
}
