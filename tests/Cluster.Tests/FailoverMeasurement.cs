using System.Globalization;
using UserData.Cluster.Tests.Support;
using UserData.TestSupport;
using Xunit.Abstractions;

namespace UserData.Cluster.Tests;

/// <summary>
/// Measures the SIGKILL failover time (kill to the first acknowledged write of every user, the slowest being those whose
/// grains were on the killed silo) of the product cluster (3 silos + a pure gateway, DynamoDB Local, mutual TLS), with
/// the test membership timings and with Orleans' production defaults, several kills each. A measurement, not a test: it
/// asserts only that every user wrote again, and runs only when <c>USERDATA_FAILOVER_RUNS</c> is set (the kills per
/// timing set); the command and the figures are in docs/benchmarks.md.
/// </summary>
public sealed class FailoverMeasurement(ITestOutputHelper output)
{
    private const string RunsVariable = "USERDATA_FAILOVER_RUNS";
    private const int Users = 60;
    private const int Writers = 8;
    private static readonly TimeSpan ProbeDeadline = TimeSpan.FromMinutes(3);

    public static TheoryData<string> TimingSets { get; } = ["test", "production"];

    [MeasurementTheory]
    [MemberData(nameof(TimingSets))]
    public async Task SIGKILL_failover_time(string timings)
    {
        var runs = int.Parse(Environment.GetEnvironmentVariable(RunsVariable)!, CultureInfo.InvariantCulture);
        await using var cluster = await LocalCluster.CreateAsync(timings == "test" ? ClusterTimings.Test : ClusterTimings.Production);
        await cluster.StartAsync(ClusterFixture.SiloCount);
        var users = await ApiUsers.RegisterAsync(cluster.Http, "failover", Users);
        var times = new List<TimeSpan>();
        for (var run = 1; run <= runs; run++)
        {
            await using var load = new WriteLoad(cluster.Http, users, $"run{run.ToString(CultureInfo.InvariantCulture)}");
            load.Start(Writers);
            await load.AcknowledgedAsync(200, ProbeDeadline);
            var victim = await cluster.BusiestSiloAsync();
            var killedAt = load.Now;
            await victim.Process.KillAsync();
            var recovery = await load.ProbeAsync(killedAt, ProbeDeadline);
            await load.StopAsync();

            var slowest = recovery.Values.Max();
            Assert.NotEqual(TimeSpan.MaxValue, slowest);
            times.Add(slowest);
            output.WriteLine(
                $"{timings} run {run}: every user wrote again {WriteLoad.Seconds(slowest)} s after the kill " +
                $"(median user {WriteLoad.Seconds(recovery.Values.Order().ElementAt(recovery.Count / 2))} s); {load.Summary()}");

            await cluster.StartSiloAsync();
            await Eventually.TrueAsync(
                async () => (await cluster.ActiveSilosAsync()).Count == ClusterFixture.SiloCount, ProbeDeadline, "the killed silo declared dead, its replacement Active");
        }

        output.WriteLine(
            $"{timings}: {string.Join(", ", times.Select(WriteLoad.Seconds))} s " +
            $"(min {WriteLoad.Seconds(times.Min())}, max {WriteLoad.Seconds(times.Max())})");
    }

    /// <summary>A theory skipped unless <c>USERDATA_FAILOVER_RUNS</c> is set.</summary>
    private sealed class MeasurementTheoryAttribute : TheoryAttribute
    {
        public MeasurementTheoryAttribute()
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(RunsVariable)))
            {
                Skip = $"A measurement: set {RunsVariable} to the number of kills per timing set (docs/benchmarks.md).";
            }
        }
    }
}
