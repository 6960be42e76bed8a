namespace UserData.Runtime.Tests.Cluster;

/// <summary>
/// Keeps the CPU-heavy placement simulation from running beside the membership tests, whose short leases a starved
/// heartbeat would expire.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterTimingCollection
{
    public const string Name = "Cluster timing";
}
