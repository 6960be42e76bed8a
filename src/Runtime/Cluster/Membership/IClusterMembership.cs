using UserData.Runtime.Cluster.Placement;

namespace UserData.Runtime.Cluster.Membership;

/// <summary>What routing needs from membership: the current view and whether this process serves grains.</summary>
public interface IClusterMembership
{
    /// <summary>The silos that own grains now; replaced (never mutated) on each refresh.</summary>
    ClusterView View { get; }

    /// <summary>This silo's id; null in a process that runs no silo (a pure gateway).</summary>
    string? LocalSiloId { get; }

    /// <summary>This silo's status as last written; null without a local silo.</summary>
    SiloStatus? LocalStatus { get; }

    /// <summary>False while this silo is fenced (it could not renew its row) or not Active.</summary>
    bool IsServing { get; }
}
