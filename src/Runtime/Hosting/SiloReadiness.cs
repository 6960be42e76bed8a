using Microsoft.Extensions.DependencyInjection;
using UserData.Runtime.Activations;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Hosting;

/// <summary>
/// Whether this process can serve grain calls now (readiness): storage answers and, when the process runs a
/// silo, that silo takes calls (in a cluster: Active and not fenced; alone: not shutting down). A process that
/// runs no silo (a pure gateway) needs at least one Active silo in the cluster.
/// </summary>
public sealed class SiloReadiness(IJournalStorage storage, IServiceProvider services)
{
    /// <summary>Null when ready, else why not (for the operator; it names no secret).</summary>
    public async Task<string?> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (services.GetService<IClusterMembership>() is { } membership)
        {
            if (membership.LocalSiloId is not null && !membership.IsServing)
            {
                return $"the silo is {membership.LocalStatus?.ToString() ?? "not joined"} and not serving";
            }

            if (membership.LocalSiloId is null && membership.View.Silos.Count == 0)
            {
                return "no Active silo in the cluster";
            }
        }
        else if (services.GetService<Catalog>() is { IsStopping: true })
        {
            return "the silo is shutting down";
        }

        // The deadline must still cancel the check after this method gave up waiting for it, so the source is
        // disposed when the check ends, not when this method returns.
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var check = storage.CheckHealthAsync(deadline.Token);
        _ = check.ContinueWith(static (_, source) => ((CancellationTokenSource)source!).Dispose(), deadline, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        try
        {
            await check.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return null;
        }
#pragma warning disable CA1031 // Any storage failure means "not ready", which is the answer, not an error.
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return "storage does not answer";
        }
    }
}
