using Microsoft.Extensions.Logging;
using Orleans.EventSourcing;
using Orleans.Storage;

namespace UserData.Providers.Journal;

/// <summary>A named event journal as Orleans sees it: makes each journaled grain's log view adaptor on the journal's store.</summary>
internal sealed class EventJournalAdaptorFactory : ILogViewAdaptorFactory
{
    private readonly IEventJournalStore _store;
    private readonly IEventJournalOptions _options;
    private readonly ILogger _logger;
    private readonly DeactivationSnapshots _deactivationSnapshots = new();

    public EventJournalAdaptorFactory(IEventJournalStore store, IEventJournalOptions options, ILoggerFactory loggerFactory)
    {
        _store = store;
        _options = options;
        _logger = loggerFactory.CreateLogger("UserData.Providers.Journal.EventJournal");

        // Fixed from here on, with the default contract resolver when none is set, so the adaptors can read the event
        // types' polymorphism metadata before anything was serialized.
        options.JsonSerializerOptions.MakeReadOnly(populateMissingResolver: true);
    }

    /// <summary>The journal is its own storage; no grain storage provider is involved.</summary>
    public bool UsesStorageProvider => false;

    /// <summary>Completes once every activation that deactivated has written its deactivation snapshot (or failed to).</summary>
    public Task WhenDeactivationSnapshotsWrittenAsync(CancellationToken cancellationToken) => _deactivationSnapshots.WhenWrittenAsync(cancellationToken);

    public ILogViewAdaptor<TLogView, TLogEntry> MakeLogViewAdaptor<TLogView, TLogEntry>(
        ILogViewAdaptorHost<TLogView, TLogEntry> hostGrain,
        TLogView initialState,
        string grainTypeName,
        IGrainStorage? grainStorage,
        ILogConsistencyProtocolServices services)
        where TLogView : class, new()
        where TLogEntry : class =>
        new EventJournalLogViewAdaptor<TLogView, TLogEntry>(hostGrain, initialState, services, _store, _options, _deactivationSnapshots, _logger);
}
