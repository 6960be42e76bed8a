using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Cluster.Placement;

/// <summary>A silo that owns grains: its id and the <c>host:port</c> of its silo port.</summary>
public sealed record SiloEndpoint(string SiloId, string Address);

/// <summary>An immutable view of the silos that own grains (the Active, unsuspected ones), and the owner of each grain.</summary>
public sealed class ClusterView
{
    private readonly SiloEndpoint[] _silos;
    private readonly ulong[] _hashes;

    public ClusterView(IEnumerable<SiloEndpoint> activeSilos, IReadOnlyList<MembershipEntry>? members = null)
    {
        ArgumentNullException.ThrowIfNull(activeSilos);

        // Sorted so that the same set gives the same view whatever order the table returned it in.
        _silos = [.. activeSilos.OrderBy(silo => silo.SiloId, StringComparer.Ordinal)];
        _hashes = [.. _silos.Select(silo => StableHash.Hash(silo.SiloId))];
        Members = members ?? [];
    }

    public static ClusterView Empty { get; } = new([]);

    public IReadOnlyList<SiloEndpoint> Silos => _silos;

    /// <summary>Every row of the membership table when the view was read, for operators.</summary>
    public IReadOnlyList<MembershipEntry> Members { get; }

    public SiloEndpoint? Owner(GrainId grainId)
    {
        var index = RendezvousPlacement.Owner(StableHash.Hash(grainId.Type, grainId.Key), _hashes);
        return index < 0 ? null : _silos[index];
    }
}
