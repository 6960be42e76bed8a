using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using UserData.Grains;
using UserData.Grains.Users;
using UserData.Grains.Validation;
using UserData.Providers.DynamoDB;
using UserData.Providers.DynamoDB.Clustering;
using UserData.Providers.DynamoDB.GrainStorage;
using UserData.Providers.DynamoDB.Journal;
using UserData.Providers.Sqlite.GrainStorage;
using UserData.Providers.Sqlite.Journal;
using UserData.Silo.Configuration;

namespace UserData.Silo.Hosting;

/// <summary>
/// The storage providers the grains name (<see cref="ProviderNames"/>) and the DynamoDB membership table, on the
/// backend <c>Storage:Provider</c> picks, with table names from <c>Storage:DynamoDB:TablePrefix</c>.
/// </summary>
public static class StorageSetup
{
    private const string CreateTablesSetting = "Storage__DynamoDB__CreateTables";

    /// <summary>
    /// What every silo of the product needs besides clustering: the event journal of journaled grains (the user's
    /// erasure event erases the history before it; history past the user's quota is compacted), the user quota, grain storage for the claim grains,
    /// and the clock the grains read.
    /// </summary>
    public static ISiloBuilder AddUserDataGrainServices(this ISiloBuilder silo, StorageSettings storage)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(storage);

        // Emails and tags are compared in NFKC form: a process that cannot normalize must not serve them.
        TextRules.EnsureNormalizationWorks();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddOptions<UserQuotaOptions>().BindConfiguration(UserQuotaOptions.SectionName)
            .Validate(quota => quota.IsValid, UserQuotaOptions.Requirement).ValidateOnStart();
        if (storage.Provider == StorageProvider.Sqlite)
        {
            silo.AddSqliteEventJournal(ProviderNames.Journal, options =>
            {
                options.Path = storage.Sqlite.Path;
                ConfigureJournal(options);
            });
            CompactHistory<SqliteEventJournalOptions>(silo);
            silo.AddSqliteGrainStorage(ProviderNames.Claims, options => options.Path = storage.Sqlite.Path);
        }
        else
        {
            var dynamoDB = storage.DynamoDB;
            silo.AddDynamoDBEventJournal(ProviderNames.Journal, options =>
            {
                Configure(options, dynamoDB);
                options.JournalTableName = dynamoDB.TablePrefix + "journal";
                options.SnapshotTableName = dynamoDB.TablePrefix + "snapshots";
                ConfigureJournal(options);
            });
            CompactHistory<DynamoDBEventJournalOptions>(silo);
            silo.AddDynamoDBGrainStorage(ProviderNames.Claims, options =>
            {
                Configure(options, dynamoDB);
                options.TableName = dynamoDB.TablePrefix + "grain-state";
            });
        }

        return silo;
    }

    /// <summary>The membership table in DynamoDB, for a silo.</summary>
    internal static void UseClustering(ISiloBuilder silo, StorageSettings storage) =>
        silo.UseDynamoDBClustering(options => Configure(options, storage.DynamoDB));

    /// <summary>The membership table in DynamoDB, for a client (it reads the gateways from it).</summary>
    internal static void UseClustering(IClientBuilder client, StorageSettings storage) =>
        client.UseDynamoDBClustering(options => Configure(options, storage.DynamoDB));

    /// <summary>
    /// The user's journal JSON with compile-time contracts; the user's erasure event erases the history before it; replayed
    /// events keep the size the journal read them at, so the history's size is counted without serializing them again.
    /// </summary>
    private static void ConfigureJournal(UserData.Providers.Journal.IEventJournalOptions journal)
    {
        journal.JsonSerializerOptions = UserEventJson.Options;
        journal.ErasesHistory = @event => @event is UserErased;
        journal.EventRead = (@event, utf8Bytes) => UserEventJson.RememberJournalSize((UserEvent)@event, utf8Bytes);
    }

    /// <summary>The journal drops the content of the history a user no longer keeps (<see cref="UserQuotaOptions.MaxHistoryBytes"/>).</summary>
    private static void CompactHistory<TOptions>(ISiloBuilder silo)
        where TOptions : class, UserData.Providers.Journal.IEventJournalOptions =>
        silo.Services.AddOptions<TOptions>(ProviderNames.Journal).Configure<IOptions<UserQuotaOptions>>((journal, quota) =>
        {
            var maxHistoryBytes = quota.Value.MaxHistoryBytes;
            journal.CompactableThrough = view => ((UserState)view).CompactableThrough(maxHistoryBytes);
        });

    private static void Configure(DynamoDBClusteringOptions options, DynamoDBStorageSettings settings)
    {
        Configure((DynamoDBProviderOptions)options, settings);
        options.TableName = settings.TablePrefix + "membership";
        options.TableNameSetting = "Storage__DynamoDB__TablePrefix";
    }

    private static void Configure(DynamoDBProviderOptions options, DynamoDBStorageSettings settings)
    {
        options.ServiceUrl = settings.ServiceUrl;
        options.Region = settings.Region;
        options.CreateTables = settings.CreateTables;
        options.CreateTablesSetting = CreateTablesSetting;
    }
}
