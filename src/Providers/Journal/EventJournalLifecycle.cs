using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;

namespace UserData.Providers.Journal;

/// <summary>
/// Starts a named journal's store with the silo's application services (before any grain activates) and stops it with
/// them, which is after the grains deactivated, once their deactivation snapshots are written.
/// </summary>
/// <remarks>
/// The store is made only when the silo starts: Orleans takes part in the lifecycle before it validates the options,
/// and making a store from invalid options would fail with a less helpful message than the validator's.
/// </remarks>
internal sealed class EventJournalLifecycle(string name, IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    private IEventJournalStore Store => services.GetRequiredKeyedService<IEventJournalStore>(name);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{nameof(EventJournalLifecycle)}-{name}", ServiceLifecycleStage.ApplicationServices, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken) => Store.StartAsync(cancellationToken);

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await services.GetRequiredKeyedService<EventJournalAdaptorFactory>(name).WhenDeactivationSnapshotsWrittenAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await Store.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
