using UserData.Runtime.Hosting;
using UserData.Runtime.Testing;

namespace UserData.Benchmarks;

/// <summary>
/// Retained heap per idle activation: activate many small grains, drop every reference but the silo's,
/// force a full collection and divide the growth. BenchmarkDotNet measures allocations, not what stays
/// alive, so this is a separate measurement (<c>-- idle-memory</c>).
/// </summary>
internal static class IdleActivationMemory
{
    private const int Activations = 20_000;

    public static async Task<int> RunAsync()
    {
        await using var cluster = await TestCluster.StartAsync(1, services => new GrainRuntimeBuilder(services).AddGrain<IPingGrain, PingGrain>());
        await ActivateAsync(cluster, "warm-up", 100);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        await ActivateAsync(cluster, "idle", Activations);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        var perActivation = (after - before) / (double)Activations;
        Console.WriteLine($"{Activations} idle activations of a small grain retain {after - before:N0} bytes: {perActivation:N0} bytes each.");
        Console.WriteLine($"Live activations: {cluster.Silos[0].ActivationCount:N0}");
        return 0;
    }

    private static async Task ActivateAsync(TestCluster cluster, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await cluster.GrainFactory.GetGrain<IPingGrain>($"{prefix}-{i}").PingAsync(i);
        }
    }
}
