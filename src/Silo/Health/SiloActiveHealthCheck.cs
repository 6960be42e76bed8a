using Orleans.Runtime;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UserData.Silo.Health;

/// <summary>Ready only while this process's silo is Active in the cluster's membership (not joining, not shutting down).</summary>
internal sealed class SiloActiveHealthCheck(ILocalSiloDetails silo, IClusterMembershipService membership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"The silo is {status}, not Active."));
    }
}
