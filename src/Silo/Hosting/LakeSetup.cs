using Amazon.DynamoDBv2;
using UserData.Lake.Configuration;
using UserData.Lake.Hosting;
using UserData.Providers.DynamoDB;
using UserData.Providers.DynamoDB.ChangeFeed;
using UserData.Providers.Sqlite;
using UserData.Providers.Sqlite.ChangeFeed;
using UserData.Silo.Configuration;

namespace UserData.Silo.Hosting;

/// <summary>
/// The data lake's worker in the silo host when <c>Lake:Enabled</c> is true, reading the change feed of the journal
/// <c>Storage:Provider</c> names: SQLite's journal table in commit order (checkpoints and the lease in the same file), or
/// the DynamoDB journal table's stream (checkpoints and leases in <c>{prefix}change-feed</c>).
/// </summary>
public static class LakeSetup
{
    public static void AddUserDataLake(this WebApplicationBuilder builder, StorageSettings storage)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(storage);
        if (!builder.Configuration.GetValue<bool>($"{LakeOptions.SectionName}:{nameof(LakeOptions.Enabled)}"))
        {
            return;
        }

        if (storage.Provider == StorageProvider.Sqlite)
        {
            var file = new SqliteDatabaseFile(storage.Sqlite.Path, TimeSpan.FromSeconds(5));
            builder.Services.AddUserDataLake(builder.Configuration, _ => new SqliteJournalChangeFeed(file), _ => new SqliteChangeFeedCheckpoints(file));
            return;
        }

        var settings = storage.DynamoDB;
        var options = new DynamoDBChangeFeedOptions
        {
            ServiceUrl = settings.ServiceUrl,
            Region = settings.Region,
            CreateTables = settings.CreateTables,
            CreateTablesSetting = "Storage__DynamoDB__CreateTables",
            JournalTableName = settings.TablePrefix + "journal",
            CheckpointTableName = settings.TablePrefix + "change-feed",
        };
        var client = new Lazy<IAmazonDynamoDB>(() => DynamoDBClients.Create(options));
        builder.Services.AddUserDataLake(
            builder.Configuration,
            _ => new DynamoDBStreamsChangeFeed(client.Value, options.ServiceUrl, options.Region, DynamoDBClients.Credentials(options), options.JournalTableName),
            provider => new DynamoDBChangeFeedCheckpoints(
                client.Value, options.CheckpointTableName, options, provider.GetRequiredService<ILogger<DynamoDBChangeFeedCheckpoints>>()));
    }
}
