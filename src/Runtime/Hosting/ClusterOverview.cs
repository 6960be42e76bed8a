using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using UserData.Runtime.Activations;
using UserData.Runtime.Cluster.Membership;

namespace UserData.Runtime.Hosting;

/// <summary>One silo as the admin cluster view and the dashboard show it.</summary>
/// <param name="LastHeartbeat">The silo's own clock at its last membership renewal (for the one local silo: now).</param>
/// <param name="Usage">CPU and memory as of <paramref name="LastHeartbeat"/>; null for a row written by a silo that did not report them.</param>
public sealed record SiloSummary(
    string Address,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat,
    int Activations,
    IReadOnlyDictionary<string, int> ActivationsByType,
    ProcessUsage? Usage);

/// <summary>
/// The silos of this deployment: the membership table's rows in a cluster (as of this process's last membership
/// refresh), else the one local silo read from its catalog and this process. Read on request only, so a view nobody
/// asks for costs nothing.
/// </summary>
public sealed class ClusterOverview(IServiceProvider services, TimeProvider time, ProcessUsageSampler usage)
{
    private static readonly DateTimeOffset ProcessStartedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public IReadOnlyList<SiloSummary> Silos()
    {
        if (services.GetService<IClusterMembership>() is { } membership)
        {
            return [.. membership.View.Members.Select(member => new SiloSummary(
                member.Address, member.Status.ToString(), member.StartedAt, member.Heartbeat, member.Activations, member.ActivationsByType, member.Usage))];
        }

        var catalog = services.GetRequiredService<Catalog>();
        var byType = catalog.Activations
            .GroupBy(activation => activation.GrainId.Type, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
        return [new SiloSummary(
            Environment.MachineName,
            catalog.IsStopping ? "ShuttingDown" : "Active",
            ProcessStartedAt,
            time.GetUtcNow(),
            byType.Values.Sum(),
            byType,
            usage.Sample())];
    }
}
