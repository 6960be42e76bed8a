using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using UserData.Runtime.Activations;
using UserData.Runtime.Diagnostics;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Hosting;

public static class GrainRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds a silo's grain runtime: the catalog, <see cref="IGrainFactory"/>, idle collection and graceful
    /// deactivation at shutdown. Options come from the <c>Runtime</c> configuration section when given.
    /// </summary>
    public static GrainRuntimeBuilder AddGrainRuntime(this IServiceCollection services, IConfiguration? configuration = null)
    {
        var options = services.AddOptions<GrainRuntimeOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(GrainRuntimeOptions.SectionName));
        }

        options.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(provider => new GrainTypeRegistry(provider.GetServices<GrainRegistration>()));
        services.TryAddSingleton<Catalog>();
        services.TryAddSingleton<IGrainFactory>(provider => provider.GetRequiredService<Catalog>());
        services.AddHostedService<SiloLifetime>();
        services.TryAddSingleton<SiloReadiness>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ProcessUsageSampler>();
        services.TryAddSingleton<ClusterOverview>();
        services.AddRuntimeMetrics();
        return new GrainRuntimeBuilder(services);
    }
}
