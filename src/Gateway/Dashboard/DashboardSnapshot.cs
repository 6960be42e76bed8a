using UserData.Gateway.Http;

namespace UserData.Gateway.Dashboard;

/// <summary>
/// What the operator dashboard polls: every silo of the cluster from the membership rows, and the cumulative counts and
/// histogram buckets of this process plus (in a cluster) every Active silo, each since it started. The page turns differences between two polls into rates and
/// percentiles, so the server keeps no history for it.
/// </summary>
/// <param name="LatencyBounds">Upper bounds (seconds) of the buckets in every <c>Buckets</c> list; its last bucket is +Inf.</param>
/// <param name="MissingMetrics">Active silos that did not answer their figures in time: the counts lack them.</param>
public sealed record DashboardSnapshot(
    DateTimeOffset Time,
    IReadOnlyList<double> LatencyBounds,
    IReadOnlyList<SiloView> Silos,
    IReadOnlyList<GrainTypeView> GrainTypes,
    IReadOnlyList<OperationView> GrainMethods,
    IReadOnlyList<OperationView> Storage,
    IReadOnlyList<HttpStatusView> Http,
    IReadOnlyList<string> MissingMetrics);

/// <summary>A silo of the cluster (or the one local silo) as of its last heartbeat.</summary>
/// <param name="HeartbeatAgeSeconds">This gateway's clock minus the silo's heartbeat time (0 for the one local silo).</param>
/// <param name="CpuPercentOfMachine">The silo process's CPU time over its last heartbeat interval as a percent of all the
/// machine's cores; null (as are the memory figures) when the silo does not report it.</param>
public sealed record SiloView(
    string Address,
    string Status,
    DateTimeOffset StartedAt,
    double HeartbeatAgeSeconds,
    double? CpuPercentOfMachine,
    long? WorkingSetBytes,
    long? GcHeapBytes,
    long Activations);

public sealed record GrainTypeView(string GrainType, long Activations, long QueueLength);

/// <summary>A grain method (<c>Group</c> = grain type) or a storage operation (<c>Group</c> = provider).</summary>
public sealed record OperationView(string Group, string Name, long Calls, long Errors, double SumSeconds, IReadOnlyList<long> Buckets);

public sealed record HttpStatusView(string Status, long Requests);

/// <summary>The snapshot in the API's success envelope.</summary>
public sealed record DashboardEnvelope(DashboardSnapshot Data, Meta Meta);
