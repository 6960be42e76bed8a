using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Diagnostics;

public static class RuntimeMetricsServiceCollectionExtensions
{
    /// <summary>Registers <see cref="RuntimeMetrics"/> (and the host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>); safe to call more than once.</summary>
    public static IServiceCollection AddRuntimeMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<RuntimeMetrics>();
        return services;
    }

    /// <summary>Registers <typeparamref name="TStorage"/> as the <see cref="IJournalStorage"/>, timed by <see cref="RuntimeMetrics"/>.</summary>
    internal static IServiceCollection AddInstrumentedJournalStorage<TStorage>(
        this IServiceCollection services, Func<IServiceProvider, TStorage> create)
        where TStorage : class, IJournalStorage
    {
        services.AddRuntimeMetrics();
        services.AddSingleton(create);
        services.AddSingleton<IJournalStorage>(provider =>
            new InstrumentedJournalStorage(provider.GetRequiredService<TStorage>(), provider.GetRequiredService<RuntimeMetrics>()));
        return services;
    }
}
