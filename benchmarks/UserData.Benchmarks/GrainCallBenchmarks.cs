using BenchmarkDotNet.Attributes;
using Orleans.Serialization;
using UserData.Benchmarks.Support;
using UserData.Grains.Users;

namespace UserData.Benchmarks;

/// <summary>
/// Orleans local grain calls on the product's silo, made through the silo's <see cref="IGrainFactory"/> as the co-hosting
/// gateway makes them: a trivial grain's call and the user grain's read (<c>GET /me</c>'s call), against the same trivial
/// method called on a plain object (the baseline). Each of <see cref="Callers"/> concurrent callers calls its own
/// already active grain, one call at a time. "Allocated" is the whole process's allocation per call (caller, runtime, grain).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class GrainCallBenchmarks
{
    private const int CallsPerInvoke = 19_200; // divisible by every Callers value

    private string _folder = null!;
    private BenchmarkSilo _silo = null!;
    private PlainPing[] _plain = null!;
    private IPingGrain[] _pings = null!;
    private IUserGrain[] _users = null!;

    [Params(1, 64)]
    public int Callers { get; set; }

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _folder = Directory.CreateTempSubdirectory("userdata-bench-calls-").FullName;
        _silo = await BenchmarkSilo.StartAsync(
            Path.Combine(_folder, "userdata.db"),
            services => services.AddSerializer(serializer => serializer.AddAssembly(typeof(PingGrain).Assembly)));
        _plain = [.. Enumerable.Range(0, Callers).Select(_ => new PlainPing())];
        _pings = [.. Enumerable.Range(0, Callers).Select(i => _silo.Grains.GetGrain<IPingGrain>(i))];
        _users = await Task.WhenAll(Enumerable.Range(0, Callers).Select(i => BenchmarkUsers.RegisterAsync(_silo.Grains, $"caller-{i}")));
        await Task.WhenAll(_pings.Select(grain => grain.PingAsync(0)));
        await Task.WhenAll(_users.Select(user => user.GetProfileAsync()));
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        await _silo.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = CallsPerInvoke)]
    public Task PlainAsyncMethod() => RunCallers(async (caller, calls) =>
    {
        var target = _plain[caller];
        for (var i = 0; i < calls; i++)
        {
            await target.PingAsync(i).ConfigureAwait(false);
        }
    });

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public Task TrivialGrain() => RunCallers(async (caller, calls) =>
    {
        var target = _pings[caller];
        for (var i = 0; i < calls; i++)
        {
            await target.PingAsync(i).ConfigureAwait(false);
        }
    });

    [Benchmark(OperationsPerInvoke = CallsPerInvoke)]
    public Task UserGrainRead() => RunCallers(async (caller, calls) =>
    {
        var target = _users[caller];
        for (var i = 0; i < calls; i++)
        {
            await target.GetProfileAsync().ConfigureAwait(false);
        }
    });

    private Task RunCallers(Func<int, int, Task> caller)
    {
        var calls = CallsPerInvoke / Callers;
        return Callers == 1
            ? caller(0, CallsPerInvoke)
            : Task.WhenAll(Enumerable.Range(0, Callers).Select(index => Task.Run(() => caller(index, calls))));
    }
}
