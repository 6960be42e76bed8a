using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;

namespace UserData.Runtime.Testing;

/// <summary>
/// Silo runtimes in one process for tests without HTTP, like Orleans' TestCluster. Each silo is its own
/// host with its own catalog and its own storage instance, so two silos on one store behave like two
/// processes sharing a database: both can activate the same grain, and only the journal fences them.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly List<TestSilo> _silos = [];
    private readonly Action<IServiceCollection> _configureServices;
    private readonly Action<GrainRuntimeOptions>? _configureRuntime;

    private TestCluster(Action<IServiceCollection> configureServices, Action<GrainRuntimeOptions>? configureRuntime)
    {
        _configureServices = configureServices;
        _configureRuntime = configureRuntime;
    }

    public IReadOnlyList<TestSilo> Silos => _silos;

    /// <summary>The first silo's grain factory.</summary>
    public IGrainFactory GrainFactory => _silos[0].GrainFactory;

    /// <summary>
    /// Starts <paramref name="siloCount"/> silos. <paramref name="configureServices"/> runs once per silo:
    /// register grains there (with <c>AddGrainRuntime().AddGrain</c>) and the storage.
    /// </summary>
    public static async Task<TestCluster> StartAsync(
        int siloCount, Action<IServiceCollection> configureServices, Action<GrainRuntimeOptions>? configureRuntime = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(siloCount, 1);
        var cluster = new TestCluster(configureServices, configureRuntime);
        try
        {
            for (var i = 0; i < siloCount; i++)
            {
                await cluster.AddSiloAsync().ConfigureAwait(false);
            }
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return cluster;
    }

    public async Task<TestSilo> AddSiloAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddDebug().SetMinimumLevel(LogLevel.Debug);
        var runtime = builder.Services.AddGrainRuntime();
        if (_configureRuntime is not null)
        {
            runtime.Services.Configure(_configureRuntime);
        }

        _configureServices(builder.Services);
        var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        var silo = new TestSilo(host);
        _silos.Add(silo);
        return silo;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync().ConfigureAwait(false);
        }

        _silos.Clear();
    }
}
