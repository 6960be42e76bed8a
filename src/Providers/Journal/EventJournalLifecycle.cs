using Orleans;
using Orleans.Runtime;

namespace UserData.Providers.Journal;

/// <summary>
/// Starts a named journal's store with the silo's application services (before any grain activates) and stops it with
/// them, which is after the grains deactivated and wrote their last snapshots.
/// </summary>
internal sealed class EventJournalLifecycle(string name, IEventJournalStore store) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(EventJournalLifecycle)}-{name}", ServiceLifecycleStage.ApplicationServices, store.StartAsync, store.StopAsync);
}
