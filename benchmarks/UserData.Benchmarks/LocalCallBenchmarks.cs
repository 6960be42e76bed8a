using BenchmarkDotNet.Attributes;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;
using UserData.Runtime.Testing;

namespace UserData.Benchmarks;

/// <summary>
/// Calls to 1,000 active grains from two concurrent callers (one per core), against the same calls made
/// directly on the grain objects with no runtime in between (the baseline, same run).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class LocalCallBenchmarks
{
    private const int GrainCount = 1_000;
    private const int CallsPerCaller = 100_000;
    private const int Callers = 2;

    private TestCluster _cluster = null!;
    private IPingGrain[] _references = null!;
    private IPingGrain[] _objects = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _cluster = await TestCluster.StartAsync(1, services => new GrainRuntimeBuilder(services).AddGrain<IPingGrain, PingGrain>());
        _references = [.. Enumerable.Range(0, GrainCount).Select(i => _cluster.GrainFactory.GetGrain<IPingGrain>($"ping-{i}"))];
        _objects = [.. Enumerable.Range(0, GrainCount).Select(_ => (IPingGrain)new PingGrain())];
        foreach (var grain in _references)
        {
            await grain.PingAsync(0);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _cluster.DisposeAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = Callers * CallsPerCaller)]
    public Task DirectCalls() => RunCallers(_objects);

    [Benchmark(OperationsPerInvoke = Callers * CallsPerCaller)]
    public Task GrainCalls() => RunCallers(_references);

    private static Task RunCallers(IPingGrain[] grains) =>
        Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var sum = 0;
            for (var i = 0; i < CallsPerCaller; i++)
            {
                sum += await grains[(i + caller * 500) % GrainCount].PingAsync(i).ConfigureAwait(false);
            }

            return sum;
        })));
}

public interface IPingGrain : IGrain
{
    Task<int> PingAsync(int value);
}

public sealed class PingGrain : Grain, IPingGrain
{
    private int _calls;

    public Task<int> PingAsync(int value) => Task.FromResult(++_calls + value);
}
