using Microsoft.Extensions.Diagnostics.HealthChecks;
using UserData.Providers.Diagnostics;

namespace UserData.Providers.Journal;

/// <summary>Healthy when the journal's store answers (tag <c>storage</c>, for the silo's /health/ready).</summary>
internal sealed class EventJournalHealthCheck(IEventJournalStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await ProviderInstruments.MeasureAsync(store.Provider, "journal", "health", () => store.CheckHealthAsync(cancellationToken)).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The {store.Provider} event journal answers.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The {store.Provider} event journal does not answer: {exception.Message}", exception);
        }
    }
}
