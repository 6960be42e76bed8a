using Microsoft.Extensions.Logging;
using Orleans.EventSourcing;
using Orleans.Storage;

namespace UserData.Providers.Journal;

/// <summary>A named event journal as Orleans sees it: makes each journaled grain's log view adaptor on the journal's store.</summary>
internal sealed class EventJournalAdaptorFactory(IEventJournalStore store, IEventJournalOptions options, ILoggerFactory loggerFactory)
    : ILogViewAdaptorFactory
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("UserData.Providers.Journal.EventJournal");

    /// <summary>The journal is its own storage; no grain storage provider is involved.</summary>
    public bool UsesStorageProvider => false;

    public ILogViewAdaptor<TLogView, TLogEntry> MakeLogViewAdaptor<TLogView, TLogEntry>(
        ILogViewAdaptorHost<TLogView, TLogEntry> hostGrain,
        TLogView initialState,
        string grainTypeName,
        IGrainStorage? grainStorage,
        ILogConsistencyProtocolServices services)
        where TLogView : class, new()
        where TLogEntry : class =>
        new EventJournalLogViewAdaptor<TLogView, TLogEntry>(hostGrain, initialState, services, store, options, _logger);
}
