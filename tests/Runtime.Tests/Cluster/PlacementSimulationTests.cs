using System.Globalization;
using UserData.Runtime.Cluster.Placement;
using UserData.Runtime.Grains;
using Xunit.Abstractions;

namespace UserData.Runtime.Tests.Cluster;

/// <summary>Rendezvous placement over 100 silos and 1,000,000 grain ids: balance and movement on a join or a leave.</summary>
[Collection(ClusterTimingCollection.Name)]
public sealed class PlacementSimulationTests(ITestOutputHelper output)
{
    private const int Silos = 100;
    private const int Grains = 1_000_000;

    private static readonly ulong[] GrainHashes = [.. Enumerable.Range(0, Grains)
        .Select(index => StableHash.Hash("user", $"{index:x8}-7e1c-4d2a-9b3f-{index * 7919L:x12}"))];

    [Fact]
    public void Grains_spread_evenly_over_100_silos()
    {
        var owners = Place(SiloHashes(Silos));
        var counts = new int[Silos];
        foreach (var owner in owners)
        {
            counts[owner]++;
        }

        var mean = (double)Grains / Silos;
        output.WriteLine($"max/mean = {counts.Max() / mean:0.0000}, min/mean = {counts.Min() / mean:0.0000}");
        Assert.True(counts.Max() / mean <= 1.10, $"max/mean = {counts.Max() / mean:0.000}");
        Assert.True(counts.Min() > 0);
    }

    [Fact]
    public void A_join_moves_only_the_grains_the_new_silo_takes_about_one_in_N()
    {
        var before = SiloHashes(Silos);
        var after = SiloHashes(Silos + 1); // the same 100 silos and one more, at the end
        var ownersBefore = Place(before);
        var ownersAfter = Place(after);

        var moved = 0;
        for (var grain = 0; grain < Grains; grain++)
        {
            if (ownersBefore[grain] != ownersAfter[grain])
            {
                moved++;
                Assert.Equal(Silos, ownersAfter[grain]); // every moved grain went to the new silo
            }
        }

        output.WriteLine($"join moved {moved} grains: {(double)moved / Grains * (Silos + 1):0.000}/N");
        Assert.True((double)moved / Grains <= 1.2 / (Silos + 1), $"moved {moved} of {Grains}");
    }

    [Fact]
    public void A_leave_moves_only_the_grains_of_the_departed_silo_about_one_in_N()
    {
        const int departed = 37;
        var all = SiloHashes(Silos);
        var remaining = all.Where((_, index) => index != departed).ToArray();
        var ownersBefore = Place(all);
        var ownersAfter = Place(remaining);

        var moved = 0;
        for (var grain = 0; grain < Grains; grain++)
        {
            var before = all[ownersBefore[grain]];
            var after = remaining[ownersAfter[grain]];
            if (before != after)
            {
                moved++;
                Assert.Equal(all[departed], before); // only the departed silo's grains moved
            }
        }

        output.WriteLine($"leave moved {moved} grains: {(double)moved / Grains * Silos:0.000}/N");
        Assert.True((double)moved / Grains <= 1.2 / Silos, $"moved {moved} of {Grains}");
    }

    [Fact]
    public void Placement_is_the_same_whatever_order_the_silos_are_listed_in()
    {
        var silos = Enumerable.Range(0, 5).Select(index => new SiloEndpoint($"10.0.0.{index}:11111@638000000000000000", $"10.0.0.{index}:11111")).ToList();
        var forward = new ClusterView(silos);
        var backward = new ClusterView(Enumerable.Reverse(silos));
        for (var index = 0; index < 1000; index++)
        {
            var grain = new GrainId("user", index.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(forward.Owner(grain), backward.Owner(grain));
        }
    }

    [Fact]
    public void The_hash_is_stable_across_processes_and_versions()
    {
        // FNV-1a 64 of "user/42" then MurmurHash3's fmix64, computed independently. A change here would move every
        // grain of a running cluster during a rolling deployment, when old and new silos must agree on owners.
        Assert.Equal(StableHash.Hash("user/42"), StableHash.Hash("user", "42"));
        Assert.Equal(0xAB51E013121D86FDUL, StableHash.Hash("user", "42"));
    }

    private static ulong[] SiloHashes(int count) =>
        [.. Enumerable.Range(0, count).Select(index => StableHash.Hash($"10.0.{index / 256}.{index % 256}:11111@638990000000000000"))];

    private static int[] Place(ulong[] silos)
    {
        var owners = new int[Grains];
        Parallel.For(0, Grains, grain => owners[grain] = RendezvousPlacement.Owner(GrainHashes[grain], silos));
        return owners;
    }
}
