using UserData.Runtime.Journal;
using UserData.Runtime.Storage.Sqlite;

namespace UserData.Gateway.Hosting;

public static class StorageSetup
{
    /// <summary>The journal store: SQLite at <c>Storage:Sqlite:Path</c> (default <c>data/userdata.db</c>).</summary>
    public static IServiceCollection AddGatewayStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SqliteJournalOptions>().Bind(configuration.GetSection(SqliteJournalOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IJournalStorage, SqliteJournalStorage>();
        return services;
    }
}
