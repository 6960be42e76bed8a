using Orleans;
using Orleans.Runtime;

namespace UserData.Providers.Journal;

/// <summary>
/// Starts a named journal's store with the silo's application services (before any grain activates) and stops it with
/// them, which is after the grains deactivated, once their deactivation snapshots are written.
/// </summary>
internal sealed class EventJournalLifecycle(string name, IEventJournalStore store, EventJournalAdaptorFactory factory) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(EventJournalLifecycle)}-{name}", ServiceLifecycleStage.ApplicationServices, store.StartAsync, StopAsync);

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await factory.WhenDeactivationSnapshotsWrittenAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await store.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
