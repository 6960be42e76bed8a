using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.EventSourcing;
using Orleans.Providers;
using Orleans.Runtime;

namespace UserData.Providers.Journal;

/// <summary>What registering an event journal means, whatever its backend; the backends' <c>Add...EventJournal</c> call it.</summary>
internal static class EventJournalRegistration
{
    /// <summary>The tag of the journals' health checks, which the silo's readiness probe runs.</summary>
    public const string HealthCheckTag = "storage";

    /// <summary>
    /// Registers the journal <paramref name="name"/> as Orleans registers a log-consistency provider: a keyed
    /// <see cref="ILogViewAdaptorFactory"/> (the default one when named <c>Default</c>), its options validated at start,
    /// its store started and stopped with the silo, and a health check of the store.
    /// </summary>
    public static IServiceCollection AddEventJournal<TOptions>(
        this IServiceCollection services,
        string name,
        Func<IServiceProvider, TOptions, IEventJournalStore> createStore,
        Action<TOptions, string> validateBackend)
        where TOptions : class, IEventJournalOptions
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        TOptions Options(IServiceProvider provider) => provider.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name);
        IEventJournalStore Store(IServiceProvider provider) => provider.GetRequiredKeyedService<IEventJournalStore>(name);
        EventJournalAdaptorFactory Factory(IServiceProvider provider) => provider.GetRequiredKeyedService<EventJournalAdaptorFactory>(name);

        services.AddTransient<IConfigurationValidator>(provider => new EventJournalOptionsValidator<TOptions>(Options(provider), name, validateBackend));
        services.ConfigureNamedOptionForLogging<TOptions>(name);
        services.AddKeyedSingleton(name, (provider, _) => createStore(provider, Options(provider)));
        services.AddKeyedSingleton(
            name, (provider, _) => new EventJournalAdaptorFactory(Store(provider), Options(provider), provider.GetRequiredService<ILoggerFactory>()));
        services.AddKeyedSingleton<ILogViewAdaptorFactory>(name, (provider, _) => Factory(provider));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => new EventJournalLifecycle(name, provider));
        services.TryAddSingleton(provider => provider.GetKeyedService<ILogViewAdaptorFactory>(ProviderConstants.DEFAULT_LOG_CONSISTENCY_PROVIDER_NAME)!);
        services.TryAddSingleton<Factory<IGrainContext, ILogConsistencyProtocolServices>>(provider =>
        {
            var create = ActivatorUtilities.CreateFactory<EventJournalProtocolServices>([typeof(IGrainContext)]);
            return context => create(provider, [context]);
        });
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"event-journal-{name}", provider => new EventJournalHealthCheck(Store(provider)), HealthStatus.Unhealthy, [HealthCheckTag]));
        return services;
    }
}
