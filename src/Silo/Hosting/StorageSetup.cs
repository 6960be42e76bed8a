using Microsoft.Extensions.DependencyInjection.Extensions;
using UserData.Grains;
using UserData.Providers.DynamoDB;
using UserData.Providers.DynamoDB.GrainStorage;
using UserData.Providers.Sqlite.GrainStorage;
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
        if (storage.Provider == StorageProvider.Sqlite)
        {
            silo.AddSqliteGrainStorage(ProviderNames.Claims, options => options.Path = storage.Sqlite.Path);
        }
        else
        {
            silo.AddDynamoDBGrainStorage(ProviderNames.Claims, options =>
            {
                Configure(options, storage.DynamoDB);
                options.TableName = storage.DynamoDB.TablePrefix + "grain-state";
            });
        }

        silo.AddMemoryGrainStorageAsDefault();
        silo.AddLogStorageBasedLogConsistencyProvider(ProviderNames.Journal);
        return silo;
    }

    private static void Configure(DynamoDBProviderOptions options, DynamoDBStorageSettings settings)
    {
        options.ServiceUrl = settings.ServiceUrl;
        options.Region = settings.Region;
        options.CreateTables = settings.CreateTables;
        options.CreateTablesSetting = "Storage__DynamoDB__CreateTables";
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
