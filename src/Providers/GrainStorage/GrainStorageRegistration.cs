using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace UserData.Providers.GrainStorage;

/// <summary>What registering either grain storage does, the way Orleans' own providers register.</summary>
internal static class GrainStorageRegistration
{
    /// <summary>The tag of the health checks that prove a store answers (the silo's /health/ready runs them).</summary>
    public const string HealthCheckTag = "storage";

    /// <summary>
    /// Registers named options (validated at silo start, logged, serializer defaulted to System.Text.Json), the storage
    /// as a keyed <see cref="IGrainStorage"/> taking part in the silo lifecycle, and a health check named
    /// <c>grain-storage-{name}</c> tagged <see cref="HealthCheckTag"/>.
    /// </summary>
    public static IServiceCollection Add<TOptions>(
        IServiceCollection services,
        string name,
        Action<OptionsBuilder<TOptions>>? configureOptions,
        Func<IServiceProvider, TOptions, IConfigurationValidator> validator,
        Func<IServiceProvider, string, JsonGrainStorage> create)
        where TOptions : class, IStorageProviderSerializerOptions
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        configureOptions?.Invoke(services.AddOptions<TOptions>(name));
        services.ConfigureNamedOptionForLogging<TOptions>(name);
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPostConfigureOptions<TOptions>, SystemTextJsonSerializerByDefault<TOptions>>());
        services.AddTransient(sp => validator(sp, sp.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name)));
        services.AddGrainStorage(name, create);
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"grain-storage-{name}", sp => (JsonGrainStorage)sp.GetRequiredKeyedService<IGrainStorage>(name), failureStatus: null, tags: [HealthCheckTag]));
        return services;
    }
}
