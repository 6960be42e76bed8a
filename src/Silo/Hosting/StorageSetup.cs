using Microsoft.Extensions.DependencyInjection.Extensions;
using UserData.Grains;
using UserData.Silo.Configuration;

namespace UserData.Silo.Hosting;

/// <summary>What every silo of the product needs besides clustering: the grains' storage providers, serialization, the clock.</summary>
public static class StorageSetup
{
    /// <summary>
    /// The storage providers the grains name (<see cref="ProviderNames"/>) on the backend <c>Storage:Provider</c> picks,
    /// Orleans' JSON codec for the domain's JSON values, and the clock the grains read.
    /// </summary>
    public static ISiloBuilder AddUserDataGrainServices(this ISiloBuilder silo, StorageSettings storage)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(storage);
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddUserDataSerialization();
        silo.AddMemoryGrainStorage(ProviderNames.Claims);
        silo.AddMemoryGrainStorageAsDefault();
        silo.AddLogStorageBasedLogConsistencyProvider(ProviderNames.Journal);
        return silo;
    }

    internal static void UseClustering(ISiloBuilder silo, StorageSettings storage)
    {
        _ = silo;
        _ = storage;
        throw new NotSupportedException("DynamoDB clustering is not wired yet.");
    }

    internal static void UseClustering(IClientBuilder client, StorageSettings storage)
    {
        _ = client;
        _ = storage;
        throw new NotSupportedException("DynamoDB clustering is not wired yet.");
    }
}
