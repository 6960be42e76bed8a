using UserData.Gateway.Http;

namespace UserData.Gateway.Dashboard;

/// <summary>
/// What the operator dashboard polls: cumulative counts and histogram buckets since each silo started. The page
/// turns differences between two polls into rates and percentiles, so the server keeps no history for it.
/// </summary>
/// <param name="LatencyBounds">Upper bounds (seconds) of the buckets in every <c>Buckets</c> list; its last bucket is +Inf.</param>
public sealed record DashboardSnapshot(
    DateTimeOffset Time,
    IReadOnlyList<double> LatencyBounds,
    IReadOnlyList<SiloView> Silos,
    IReadOnlyList<GrainTypeView> GrainTypes,
    IReadOnlyList<OperationView> GrainMethods,
    IReadOnlyList<OperationView> Storage,
    IReadOnlyList<HttpStatusView> Http);

/// <param name="CpuSeconds">CPU time used by the silo's process since it started (user and system).</param>
public sealed record SiloView(
    string Address,
    string Status,
    DateTimeOffset StartedAt,
    double HeartbeatAgeSeconds,
    double CpuSeconds,
    int ProcessorCount,
    long MemoryBytes,
    long Activations);

public sealed record GrainTypeView(string GrainType, long Activations, long QueueLength);

/// <summary>A grain method (<c>Group</c> = grain type) or a storage operation (<c>Group</c> = provider).</summary>
public sealed record OperationView(string Group, string Name, long Calls, long Errors, double SumSeconds, IReadOnlyList<long> Buckets);

public sealed record HttpStatusView(string Status, long Requests);

/// <summary>The snapshot in the API's success envelope.</summary>
public sealed record DashboardEnvelope(DashboardSnapshot Data, Meta Meta);
