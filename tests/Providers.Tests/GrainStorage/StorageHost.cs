using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using UserData.Providers.GrainStorage;

namespace UserData.Providers.Tests.GrainStorage;

/// <summary>
/// A grain storage outside a silo, registered by its real extension method in a container with what a silo gives it
/// (ServiceId, Orleans' serializer services, logging): its options are validated and it is started as a silo would.
/// </summary>
public sealed class StorageHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private bool _started;

    public StorageHost(Action<IServiceCollection> addStorage, string serviceId = GrainStorageContract.ServiceId, Action<IServiceCollection>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(addStorage);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSerializer();
        services.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = serviceId;
            options.ClusterId = "storage-tests";
        });
        configure?.Invoke(services);
        addStorage(services);
        _services = services.BuildServiceProvider();
    }

    public IServiceProvider Services => _services;

    public IGrainStorage Storage => _services.GetRequiredKeyedService<IGrainStorage>(GrainStorageContract.StorageName);

    /// <summary>Runs the configuration validators, as a silo does before it starts.</summary>
    public void Validate()
    {
        foreach (var validator in _services.GetServices<IConfigurationValidator>())
        {
            validator.ValidateConfiguration();
        }
    }

    public static async Task<StorageHost> StartAsync(Action<IServiceCollection> addStorage, string serviceId = GrainStorageContract.ServiceId, Action<IServiceCollection>? configure = null)
    {
        var host = new StorageHost(addStorage, serviceId, configure);
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async Task StartAsync()
    {
        Validate();
        await ((JsonGrainStorage)Storage).StartAsync(CancellationToken.None);
        _started = true;
    }

    public async Task StopAsync()
    {
        if (_started)
        {
            _started = false;
            await ((JsonGrainStorage)Storage).StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Runs the health checks tagged <c>storage</c>, as the silo's /health/ready does.</summary>
    public Task<HealthReport> CheckHealthAsync() =>
        _services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains("storage"));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _services.DisposeAsync();
    }
}
