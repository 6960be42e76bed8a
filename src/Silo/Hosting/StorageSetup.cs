using UserData.Grains;
using UserData.Silo.Configuration;

namespace UserData.Silo.Hosting;

/// <summary>The storage providers the grains name (<see cref="ProviderNames"/>), on the backend <c>Storage:Provider</c> picks.</summary>
internal static class StorageSetup
{
    public static void AddStorage(ISiloBuilder silo, StorageSettings storage)
    {
        _ = storage;
        silo.AddMemoryGrainStorage(ProviderNames.Claims);
        silo.AddMemoryGrainStorageAsDefault();
        silo.AddLogStorageBasedLogConsistencyProvider(ProviderNames.Journal);
    }

    public static void UseClustering(ISiloBuilder silo, StorageSettings storage)
    {
        _ = silo;
        _ = storage;
        throw new NotSupportedException("DynamoDB clustering is not wired yet.");
    }

    public static void UseClustering(IClientBuilder client, StorageSettings storage)
    {
        _ = client;
        _ = storage;
        throw new NotSupportedException("DynamoDB clustering is not wired yet.");
    }
}
