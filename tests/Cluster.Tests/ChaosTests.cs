using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UserData.Cluster.Tests.Support;
using UserData.Runtime.Cluster.Membership;
using UserData.TestSupport;
using Xunit.Abstractions;

namespace UserData.Cluster.Tests;

/// <summary>
/// The product end to end on loopback: three <c>src/Silo</c> processes and a pure <c>src/Gateway</c> process on one
/// dynalite, hundreds of users registered over HTTP and writers creating tasks for them; then a silo is killed,
/// stopped or added. Membership timings are short (heartbeat 250 ms, suspicion 2 s, see
/// <see cref="ClusterEnvironment.Settings"/>). An in-process cluster client only watches the membership table.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Users = 200;
    private const int Writers = 16;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly ClusterEnvironment _environment = new();
    private readonly List<SiloProcess> _silos = [];
    private HostProcess? _gateway;
    private IHost? _observer;
    private WriteLoad? _load;

    private IClusterMembership Membership => _observer!.Services.GetRequiredService<IClusterMembership>();

    private WriteLoad Load => _load!;

    public async Task InitializeAsync()
    {
        await _environment.InitializeAsync();
        var starting = Enumerable.Range(0, 3).Select(_ => SiloProcess.StartAsync(_environment)).ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        finally
        {
            // Those that did start are stopped by DisposeAsync, also when another one failed.
            _silos.AddRange(starting.Where(task => task.IsCompletedSuccessfully).Select(task => task.Result));
        }

        _observer = await _environment.StartClientAsync();
        await Eventually.TrueAsync(() => Membership.View.Silos.Count == 3, Deadline, "3 active silos");
        _gateway = await HostProcess.StartAsync("UserData.Gateway.dll", new Dictionary<string, string>(), arguments: _environment.GatewaySettings());
        try
        {
            _load = await WriteLoad.RegisterAsync(_gateway.Address, Guid.NewGuid().ToString("N")[..8], Users);
        }
        catch
        {
            ReportOutput();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_load is not null)
        {
            // Here rather than in the tests, so that a test that timed out stops its writers and reports too.
            await _load.StopAsync();
            ReportFailures();
            _load.Dispose();
        }

        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        if (_observer is not null)
        {
            await _observer.StopAsync();
            _observer.Dispose();
        }

        await _environment.DisposeAsync();
    }

    [Fact]
    public async Task After_a_SIGKILL_every_user_writes_again_within_5_s_and_every_acknowledged_write_is_there_once()
    {
        Load.Start(Writers);
        await WaitForAcknowledgementsAsync(1_000);

        var victim = _silos[1];
        output.WriteLine($"killed silo {victim.SiloPort.ToString(CultureInfo.InvariantCulture)} at {Seconds(Load.Now)} s");
        victim.Process.Kill();
        var recovery = await Load.ProbeEveryUserAsync(TimeSpan.FromSeconds(20));
        await Load.StopAsync();

        var slowest = recovery.MaxBy(pair => pair.Value);
        output.WriteLine(
            $"every user wrote again within {Seconds(slowest.Value)} s of the kill " +
            $"(median {Seconds(recovery.Values.Order().ElementAt(Users / 2))} s, slowest {slowest.Key})");
        Assert.All(Load.Failures, failure => Assert.True(failure.IsRetryableUnavailable, $"{failure.Kind} at {Seconds(failure.At)} s: {failure.Detail}"));
        Assert.True(slowest.Value <= TimeSpan.FromSeconds(5), $"user {slowest.Key} wrote again {Seconds(slowest.Value)} s after the kill");
        Assert.DoesNotContain(Membership.View.Silos, silo => silo.SiloId.StartsWith(victim.AddressPrefix, StringComparison.Ordinal));
        await Load.VerifyAsync();
    }

    [Fact]
    public async Task A_SIGTERM_under_load_fails_no_request_and_loses_nothing()
    {
        Load.Start(Writers);
        await WaitForAcknowledgementsAsync(1_000);

        var victim = _silos[1];
        await victim.Process.TerminateAsync();
        await victim.Process.WaitForExitAsync(Deadline);
        await EveryUserWritesAfterAsync(Load.Now, "every user writes after the stop");
        await Load.StopAsync();

        Assert.Empty(Load.Failures);
        Assert.Equal(0, victim.Process.ExitCode); // a graceful stop, not a crash
        Assert.DoesNotContain(Membership.View.Silos, silo => silo.SiloId.StartsWith(victim.AddressPrefix, StringComparison.Ordinal));
        await Load.VerifyAsync();
    }

    [Fact]
    public async Task A_fourth_silo_joining_under_load_takes_about_a_quarter_of_the_grains_and_nothing_fails()
    {
        Load.Start(Writers);
        await WaitForAcknowledgementsAsync(1_000);

        var newcomer = await SiloProcess.StartAsync(_environment);
        _silos.Add(newcomer);
        await Eventually.TrueAsync(() => Membership.View.Silos.Count == 4, Deadline, "4 active silos");
        await EveryUserWritesAfterAsync(Load.Now, "every user writes after the join");

        // Every user's grain is active (each wrote since the join), so once the old silos let go of the grains that
        // moved, there is one activation per user, and the newcomer's are exactly the grains that moved to it.
        await Eventually.TrueAsync(() => UserActivations().Values.Sum() == Users, Deadline, "one user activation per user");
        var moved = UserActivations().Single(silo => silo.Key.StartsWith(newcomer.AddressPrefix, StringComparison.Ordinal)).Value;
        await Load.StopAsync();

        output.WriteLine($"{moved} of {Users} user grains moved to the new silo");
        Assert.Empty(Load.Failures);
        Assert.InRange(moved, Users * 0.15, Users * 0.35);
        await Load.VerifyAsync();
    }

    private static string Seconds(TimeSpan time) =>
        time == TimeSpan.MaxValue ? "never" : time.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);

    private Task WaitForAcknowledgementsAsync(long count) =>
        Eventually.TrueAsync(() => Load.AcknowledgedCount >= count, Deadline, $"{count} writes acknowledged");

    private Task EveryUserWritesAfterAsync(TimeSpan since, string because) =>
        Eventually.TrueAsync(() => Load.Users.All(user => Load.FirstAcknowledgedSince(user, since) is not null), Deadline, because);

    /// <summary>User grain activations per Active silo, as each silo last reported them in its membership row.</summary>
    private Dictionary<string, int> UserActivations() =>
        Membership.View.Members
            .Where(member => member.Status == SiloStatus.Active)
            .ToDictionary(member => member.SiloId, member => member.ActivationsByType.GetValueOrDefault("user"));

    /// <summary>Failures by kind, then what the gateway and silos logged at Warning and above, for diagnosis.</summary>
    private void ReportFailures()
    {
        output.WriteLine($"acknowledged {Load.AcknowledgedCount}, failed {Load.Failures.Count}");
        foreach (var kind in Load.Failures.GroupBy(failure => failure.Kind))
        {
            output.WriteLine(
                $"  {kind.Count()} x {kind.Key}, {kind.Select(failure => failure.User).Distinct().Count()} users, " +
                $"first at {Seconds(kind.Min(failure => failure.At))} s, last at {Seconds(kind.Max(failure => failure.At))} s: {kind.First().Detail}");
        }

        ReportOutput();
    }

    private void ReportOutput()
    {
        output.WriteLine($"gateway: {_gateway!.Output}");
        foreach (var silo in _silos)
        {
            output.WriteLine($"silo {silo.SiloPort.ToString(CultureInfo.InvariantCulture)}: {silo.Process.Output}");
        }
    }
}
