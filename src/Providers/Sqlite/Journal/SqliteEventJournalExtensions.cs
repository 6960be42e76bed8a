using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using UserData.Providers.Journal;

namespace UserData.Providers.Sqlite.Journal;

/// <summary>Registers an event journal in an SQLite file: a log-consistency provider for <c>JournaledGrain</c>s.</summary>
public static class SqliteEventJournalExtensions
{
    /// <summary>
    /// Adds the SQLite event journal <paramref name="name"/>; grains use it with
    /// <c>[LogConsistencyProvider(ProviderName = name)]</c> (or without the attribute when named <c>Default</c>).
    /// </summary>
    public static ISiloBuilder AddSqliteEventJournal(this ISiloBuilder builder, string name, Action<SqliteEventJournalOptions> configureOptions) =>
        builder.ConfigureServices(services => services.AddSqliteEventJournal(name, configureOptions));

    /// <inheritdoc cref="AddSqliteEventJournal(ISiloBuilder, string, Action{SqliteEventJournalOptions})"/>
    public static ISiloBuilder AddSqliteEventJournal(this ISiloBuilder builder, string name, Action<OptionsBuilder<SqliteEventJournalOptions>>? configureOptions = null) =>
        builder.ConfigureServices(services => services.AddSqliteEventJournal(name, configureOptions));

    /// <inheritdoc cref="AddSqliteEventJournal(ISiloBuilder, string, Action{SqliteEventJournalOptions})"/>
    public static IServiceCollection AddSqliteEventJournal(this IServiceCollection services, string name, Action<SqliteEventJournalOptions> configureOptions) =>
        services.AddSqliteEventJournal(name, options => options.Configure(configureOptions));

    /// <inheritdoc cref="AddSqliteEventJournal(ISiloBuilder, string, Action{SqliteEventJournalOptions})"/>
    public static IServiceCollection AddSqliteEventJournal(this IServiceCollection services, string name, Action<OptionsBuilder<SqliteEventJournalOptions>>? configureOptions = null)
    {
        configureOptions?.Invoke(services.AddOptions<SqliteEventJournalOptions>(name));
        return services.AddEventJournal<SqliteEventJournalOptions>(
            name,
            (provider, options) => new SqliteEventJournalStore(options, provider.GetRequiredService<ILogger<SqliteEventJournalStore>>()),
            SqliteEventJournalOptions.Validate);
    }
}
