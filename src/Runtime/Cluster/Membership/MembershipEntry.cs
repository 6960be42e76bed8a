using UserData.Runtime.Hosting;

namespace UserData.Runtime.Cluster.Membership;

/// <summary>One row of the membership table.</summary>
/// <param name="SiloId">Unique per silo process: <c>{address}@{start time ticks}</c>.</param>
/// <param name="Address">Where its silo port answers, <c>host:port</c>.</param>
/// <param name="Heartbeat">The silo's clock at its last renewal; others compare it only with earlier readings of itself.</param>
/// <param name="Usage">The silo process's CPU and memory as of its last renewal; null in rows written before silos reported it.</param>
public sealed record MembershipEntry(
    string SiloId,
    string Address,
    SiloStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset Heartbeat,
    int Activations,
    IReadOnlyDictionary<string, int> ActivationsByType,
    ProcessUsage? Usage = null);
