namespace UserData.Runtime.Cluster.Placement;

/// <summary>
/// Rendezvous (highest random weight) hashing: a grain belongs to the silo with the highest score
/// <c>Mix(grainHash ^ siloHash)</c>. Every process computes the same owner from the same silo list, with no
/// directory; when a silo joins it takes only the grains it now wins (about 1/N), and when one leaves only its
/// own grains move.
/// </summary>
public static class RendezvousPlacement
{
    /// <summary>Index into <paramref name="siloHashes"/> of the owner, or -1 when there is no silo.</summary>
    public static int Owner(ulong grainHash, ReadOnlySpan<ulong> siloHashes)
    {
        var best = -1;
        var bestScore = 0UL;
        for (var index = 0; index < siloHashes.Length; index++)
        {
            var score = StableHash.Mix(grainHash ^ siloHashes[index]);
            if (best < 0 || score > bestScore)
            {
                best = index;
                bestScore = score;
            }
        }

        return best;
    }
}
