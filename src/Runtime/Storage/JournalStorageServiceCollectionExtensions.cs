using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserData.Runtime.Journal;
using UserData.Runtime.Storage.DynamoDB;
using UserData.Runtime.Storage.Sqlite;

namespace UserData.Runtime.Storage;

public static class JournalStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="IJournalStorage"/> named by <c>Storage:Provider</c> (<c>Sqlite</c>, the default,
    /// or <c>DynamoDB</c>) with its options from <c>Storage:Sqlite</c> or <c>Storage:DynamoDB</c>, validated at start.
    /// </summary>
    public static IServiceCollection AddJournalStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var provider = configuration["Storage:Provider"];
        if (string.IsNullOrEmpty(provider) || provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            services.AddOptions<SqliteJournalOptions>()
                .Bind(configuration.GetSection(SqliteJournalOptions.SectionName))
                .ValidateDataAnnotations()
                .ValidateOnStart();
            services.AddSingleton<IJournalStorage, SqliteJournalStorage>();
        }
        else if (provider.Equals("DynamoDB", StringComparison.OrdinalIgnoreCase))
        {
            services.AddOptions<DynamoDbJournalOptions>()
                .Bind(configuration.GetSection(DynamoDbJournalOptions.SectionName))
                .ValidateDataAnnotations()
                .ValidateOnStart();
            services.AddSingleton<IJournalStorage>(serviceProvider => new DynamoDbJournalStorage(
                serviceProvider.GetRequiredService<IOptions<DynamoDbJournalOptions>>().Value,
                serviceProvider.GetRequiredService<ILogger<DynamoDbJournalStorage>>()));
        }
        else
        {
            throw new InvalidOperationException($"Storage:Provider (Storage__Provider) must be Sqlite or DynamoDB, not '{provider}'.");
        }

        return services;
    }
}
