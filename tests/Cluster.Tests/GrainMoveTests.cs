using Microsoft.Extensions.DependencyInjection;
using UserData.Cluster.Tests.Grains;
using UserData.Cluster.Tests.Support;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Cluster.Placement;
using UserData.Runtime.Grains;
using UserData.TestSupport;

namespace UserData.Cluster.Tests;

/// <summary>A grain that moves to a joining silo and back again is never served from its old, stale activation.</summary>
public sealed class GrainMoveTests(ClusterEnvironment environment) : IClassFixture<ClusterEnvironment>
{
    private const int Keys = 60;

    [Fact]
    public async Task A_grain_that_moved_away_and_back_is_read_with_the_writes_made_elsewhere()
    {
        await using var a = await InProcessSilo.StartAsync(environment);
        await using var b = await InProcessSilo.StartAsync(environment);
        using var client = await environment.StartClientAsync();
        var membership = client.Services.GetRequiredService<IClusterMembership>();
        var grains = client.Services.GetRequiredService<IGrainFactory>();
        await Eventually.TrueAsync(() => membership.View.Silos.Count == 2, because: "the client sees a and b");
        var keys = Enumerable.Range(0, Keys).Select(index => $"mover-{index}").ToList();
        foreach (var key in keys)
        {
            await grains.GetGrain<ILedgerGrain>(key).AddAsync("on-a-or-b");
        }

        var twoSilos = membership.View;
        await using (var c = await InProcessSilo.StartAsync(environment))
        {
            await Eventually.TrueAsync(() => membership.View.Silos.Count == 3, because: "the client sees c");
            var cId = c.Membership.LocalSiloId!;
            var moved = keys.Where(key => membership.View.Owner(new GrainId("ledger", key))!.SiloId == cId).ToList();
            Assert.NotEmpty(moved);
            foreach (var key in moved)
            {
                Assert.Equal(cId, await grains.GetGrain<ILedgerGrain>(key).WhereAsync());
                await grains.GetGrain<ILedgerGrain>(key).AddAsync("on-c");
            }

            // c leaves gracefully; its grains go back to where they were.
            await c.DisposeAsync();
            await Eventually.TrueAsync(() => membership.View.Silos.Count == 2, because: "the client no longer sees c");
            foreach (var key in moved)
            {
                var grain = grains.GetGrain<ILedgerGrain>(key);
                Assert.Equal(twoSilos.Owner(new GrainId("ledger", key))!.SiloId, await grain.WhereAsync());
                Assert.Equal(["on-a-or-b", "on-c"], await grain.GetEntriesAsync());
            }
        }
    }
}
