using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UserData.Cluster.Tests.Grains;
using UserData.Cluster.Tests.Support;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Grains;
using UserData.TestSupport;
using Xunit.Abstractions;

namespace UserData.Cluster.Tests;

/// <summary>
/// Silos in processes of their own on loopback, a pure gateway (a cluster client in the test process) and continuous
/// writes across hundreds of users' grains; then a silo is killed, stopped or added. Membership timings are short
/// (heartbeat 250 ms, suspicion 2 s, see <see cref="ClusterEnvironment.Settings"/>).
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Users = 200;
    private const int Writers = 16;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly ClusterEnvironment _environment = new();
    private readonly List<SiloProcess> _silos = [];
    private IHost? _gateway;

    private IGrainFactory Grains => _gateway!.Services.GetRequiredService<IGrainFactory>();

    private IClusterMembership GatewayMembership => _gateway!.Services.GetRequiredService<IClusterMembership>();

    public async Task InitializeAsync()
    {
        await _environment.InitializeAsync();
        for (var index = 0; index < 3; index++)
        {
            _silos.Add(await SiloProcess.StartAsync(_environment));
        }

        _gateway = await _environment.StartClientAsync();
        await Eventually.TrueAsync(() => GatewayMembership.View.Silos.Count == 3, Deadline, "the gateway sees 3 silos");
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            _gateway.Dispose();
        }

        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task After_a_SIGKILL_every_user_writes_again_within_5_s_and_every_acknowledged_write_is_there_once()
    {
        var load = new WriteLoad(Grains, "kill", Users);
        load.Start(Writers);
        await WaitForAcknowledgementsAsync(load, 2_000);

        var victim = _silos[1];
        victim.Kill();
        var recovery = await load.ProbeEveryUserAsync(TimeSpan.FromSeconds(20));
        await load.StopAsync();

        output.WriteLine($"acknowledged {load.AcknowledgedCount}, failed {load.Failures.Count} (in flight on the killed silo); slowest user wrote again {recovery.TotalSeconds:0.00} s after the kill");
        foreach (var kind in load.Failures.GroupBy(failure => failure.Error.GetType().Name))
        {
            output.WriteLine($"  {kind.Count()} x {kind.Key}, first at {kind.Min(failure => failure.At).TotalSeconds:0.00} s, last at {kind.Max(failure => failure.At).TotalSeconds:0.00} s: {kind.First().Error.Message}");
        }

        foreach (var silo in _silos.Where(silo => silo != victim))
        {
            output.WriteLine($"silo {silo.SiloPort}: {silo.Output}");
        }

        Assert.True(recovery <= TimeSpan.FromSeconds(5), $"the slowest user wrote again {recovery.TotalSeconds:0.00} s after the kill");
        Assert.DoesNotContain(GatewayMembership.View.Silos, silo => silo.SiloId.StartsWith(victim.AddressPrefix, StringComparison.Ordinal));
        await load.VerifyJournalAsync(_environment.JournalStorage());
    }

    [Fact]
    public async Task A_SIGTERM_under_load_fails_no_request_and_loses_nothing()
    {
        var load = new WriteLoad(Grains, "term", Users);
        load.Start(Writers);
        await WaitForAcknowledgementsAsync(load, 2_000);

        var victim = _silos[1];
        await victim.TerminateAsync();
        await victim.WaitForExitAsync(Deadline);
        var stoppedAt = load.Now;
        await Eventually.TrueAsync(
            () => load.Users.All(user => load.FirstAcknowledgedSince(user, stoppedAt) is not null), Deadline, "every user writes after the stop");
        await load.StopAsync();

        output.WriteLine($"acknowledged {load.AcknowledgedCount}, failed {load.Failures.Count}");
        foreach (var failure in load.Failures.Take(5))
        {
            output.WriteLine($"  {failure.At.TotalSeconds:0.00} s {failure.User}: {failure.Error.GetType().Name}: {failure.Error.Message}");
        }

        Assert.Empty(load.Failures);
        Assert.Equal(0, victim.ExitCode); // a graceful stop, not a crash
        Assert.DoesNotContain(GatewayMembership.View.Silos, silo => silo.SiloId.StartsWith(victim.AddressPrefix, StringComparison.Ordinal));
        await load.VerifyJournalAsync(_environment.JournalStorage());
    }

    [Fact]
    public async Task A_fourth_silo_joining_under_load_takes_about_a_quarter_of_the_grains_and_nothing_fails()
    {
        var load = new WriteLoad(Grains, "join", Users);
        load.Start(Writers);
        await WaitForAcknowledgementsAsync(load, 2_000);
        var before = await WhereAsync(load.Users);

        _silos.Add(await SiloProcess.StartAsync(_environment));
        await Eventually.TrueAsync(() => GatewayMembership.View.Silos.Count == 4, Deadline, "the gateway sees 4 silos");
        var joinedAt = load.Now;
        await Eventually.TrueAsync(
            () => load.Users.All(user => load.FirstAcknowledgedSince(user, joinedAt) is not null), Deadline, "every user writes after the join");
        var after = await WhereAsync(load.Users);
        await load.StopAsync();

        var moved = load.Users.Count(user => before[user] != after[user]);
        var newcomer = _silos[3].AddressPrefix;
        output.WriteLine($"acknowledged {load.AcknowledgedCount}, failed {load.Failures.Count}; {moved} of {Users} grains moved");
        foreach (var failure in load.Failures.Take(5))
        {
            output.WriteLine($"  {failure.At.TotalSeconds:0.00} s {failure.User}: {failure.Error.GetType().Name}: {failure.Error.Message}");
        }

        Assert.Empty(load.Failures);
        Assert.All(load.Users.Where(user => before[user] != after[user]), user => Assert.StartsWith(newcomer, after[user], StringComparison.Ordinal));
        Assert.InRange(moved, Users * 0.15, Users * 0.35);
        await load.VerifyJournalAsync(_environment.JournalStorage());
    }

    private static Task WaitForAcknowledgementsAsync(WriteLoad load, long count) =>
        Eventually.TrueAsync(() => load.AcknowledgedCount >= count, Deadline, $"{count} writes acknowledged");

    private async Task<Dictionary<string, string>> WhereAsync(IEnumerable<string> users)
    {
        var where = new Dictionary<string, string>();
        foreach (var user in users)
        {
            where[user] = await Grains.GetGrain<ILedgerGrain>(user).WhereAsync();
        }

        return where;
    }
}
