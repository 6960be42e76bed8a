using System.Globalization;
using UserData.Cluster.Tests.Support;
using UserData.TestSupport;
using Xunit.Abstractions;

namespace UserData.Cluster.Tests;

/// <summary>
/// The product end to end on loopback, as ECS runs it: three <c>src/Silo</c> processes and a pure <c>src/Gateway</c>
/// process on DynamoDB Local with mutual TLS, users writing through the HTTP API from concurrent writers; then a silo
/// is killed, stopped or added. Membership timings are short (<see cref="ClusterTimings.Test"/>).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ChaosTests(ClusterFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Writers = 12;
    private const int WarmUpWrites = 300;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(5);

    /// <summary>Beyond the response timeout: Orleans checks expired calls about once a second.</summary>
    private static readonly TimeSpan InFlightSlack = TimeSpan.FromSeconds(2);

    private WriteLoad? _load;

    private LocalCluster Cluster => fixture.Cluster;

    public Task InitializeAsync() => fixture.EnsureSilosAsync();

    public async Task DisposeAsync()
    {
        if (_load is not null)
        {
            // Here rather than in the tests, so that a test that failed stops its writers and reports too.
            await _load.DisposeAsync();
            output.WriteLine(_load.Summary());
        }

        output.WriteLine(Cluster.Report());
    }

    [Fact]
    public async Task After_a_SIGKILL_under_write_load_every_user_writes_again_within_5_s_calls_in_flight_answer_503_and_every_acknowledged_write_is_there_once()
    {
        var load = await StartLoadAsync("kill");
        var victim = await Cluster.BusiestSiloAsync();

        var killedAt = load.Now;
        await victim.Process.KillAsync();
        var recovery = await load.ProbeAsync(killedAt, TimeSpan.FromSeconds(30));
        output.WriteLine($"killed {victim} at {WriteLoad.Seconds(killedAt)} s");
        await load.StopAsync();

        var slowest = recovery.MaxBy(pair => pair.Value);
        output.WriteLine(
            $"every user wrote again within {WriteLoad.Seconds(slowest.Value)} s of the kill " +
            $"(median {WriteLoad.Seconds(recovery.Values.Order().ElementAt(recovery.Count / 2))} s, slowest {slowest.Key})");
        Assert.All(load.Failures, failure => Assert.True(failure.IsRetryableUnavailable, failure.ToString()));

        // A write sent before the killed silo was declared dead (within Failover of the kill, asserted below) may have
        // gone through it: it answers once the gateway's response timeout has passed, not after Orleans' 30 s.
        Assert.All(load.Failures, failure => Assert.True(
            failure.At - killedAt <= Failover + LocalCluster.GatewayResponseTimeout + InFlightSlack,
            $"{failure} came {WriteLoad.Seconds(failure.At - killedAt)} s after the kill"));
        Assert.True(slowest.Value <= Failover, $"user {slowest.Key} wrote again {WriteLoad.Seconds(slowest.Value)} s after the kill");
        Assert.Equal(128 + 9, victim.Process.ExitCode);
        await Eventually.TrueAsync(
            async () => (await Cluster.SilosAsync()).Single(silo => victim.Is(silo.Address)).Status == "Dead", Deadline, $"{victim} declared Dead");
        Assert.Empty(await load.VerifyAsync());
    }

    [Fact]
    public async Task A_SIGTERM_under_write_load_fails_no_request_and_loses_nothing()
    {
        var load = await StartLoadAsync("term");
        var victim = await Cluster.BusiestSiloAsync();

        await victim.Process.TerminateAsync();
        var exitCode = await victim.Process.WaitForExitAsync(Deadline);
        var stoppedAt = load.Now;
        await EveryUserWritesAfterAsync(load, stoppedAt, "every user writes after the stop");
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.Equal(0, exitCode);
        Assert.Equal("Dead", (await Cluster.SilosAsync()).Single(silo => victim.Is(silo.Address)).Status);
        Assert.Empty(await load.VerifyAsync());
    }

    [Fact]
    public async Task A_fourth_silo_joining_under_write_load_fails_nothing_and_serves_new_users()
    {
        var load = await StartLoadAsync("join");

        var newcomer = await Cluster.StartSiloAsync();
        await Eventually.TrueAsync(
            async () => (await Cluster.ActiveSilosAsync()).Count(address => Cluster.Silos.Any(silo => silo.Is(address))) == 4,
            Deadline,
            "4 Active silos");
        var joinedAt = load.Now;
        await EveryUserWritesAfterAsync(load, joinedAt, "every user writes after the join");

        // A join moves no activation by itself (the repartitioner may, in its own time); new users' grains are placed over
        // all four silos, so the newcomer soon runs user grain calls.
        var newUsers = 0;
        await Eventually.TrueAsync(
            async () =>
            {
                var users = await ApiUsers.RegisterAsync(Cluster.Http, $"joined-{newUsers++.ToString(CultureInfo.InvariantCulture)}", 4);
                await using var writes = new WriteLoad(Cluster.Http, users, "after-join");
                Assert.DoesNotContain(TimeSpan.MaxValue, (await writes.ProbeAsync(writes.Now, Deadline)).Values);

                return (await SiloCounters.ReadAsync(newcomer)).UserGrainCalls > 0;
            },
            Deadline,
            $"{newcomer} runs calls to user grains");
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.Empty(await load.VerifyAsync());
    }

    private async Task<WriteLoad> StartLoadAsync(string prefix)
    {
        _load = new WriteLoad(Cluster.Http, fixture.Users, prefix);
        _load.Start(Writers);
        await _load.AcknowledgedAsync(WarmUpWrites, Deadline);
        return _load;
    }

    private static Task EveryUserWritesAfterAsync(WriteLoad load, TimeSpan since, string because) =>
        Eventually.TrueAsync(() => load.Users.All(user => load.FirstAcknowledgedSince(user, since) is not null), Deadline, because);
}
