using Amazon.DynamoDBv2;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using UserData.Providers.Journal;

namespace UserData.Providers.DynamoDB.Journal;

/// <summary>Registers an event journal on DynamoDB: a log-consistency provider for <c>JournaledGrain</c>s.</summary>
public static class DynamoDBEventJournalExtensions
{
    /// <summary>
    /// Adds the DynamoDB event journal <paramref name="name"/>; grains use it with
    /// <c>[LogConsistencyProvider(ProviderName = name)]</c> (or without the attribute when named <c>Default</c>). An
    /// <see cref="IAmazonDynamoDB"/> registered by the application is used; otherwise one is made from the options.
    /// </summary>
    public static ISiloBuilder AddDynamoDBEventJournal(this ISiloBuilder builder, string name, Action<DynamoDBEventJournalOptions> configureOptions) =>
        builder.ConfigureServices(services => services.AddDynamoDBEventJournal(name, configureOptions));

    /// <inheritdoc cref="AddDynamoDBEventJournal(ISiloBuilder, string, Action{DynamoDBEventJournalOptions})"/>
    public static ISiloBuilder AddDynamoDBEventJournal(this ISiloBuilder builder, string name, Action<OptionsBuilder<DynamoDBEventJournalOptions>>? configureOptions = null) =>
        builder.ConfigureServices(services => services.AddDynamoDBEventJournal(name, configureOptions));

    /// <inheritdoc cref="AddDynamoDBEventJournal(ISiloBuilder, string, Action{DynamoDBEventJournalOptions})"/>
    public static IServiceCollection AddDynamoDBEventJournal(this IServiceCollection services, string name, Action<DynamoDBEventJournalOptions> configureOptions) =>
        services.AddDynamoDBEventJournal(name, options => options.Configure(configureOptions));

    /// <inheritdoc cref="AddDynamoDBEventJournal(ISiloBuilder, string, Action{DynamoDBEventJournalOptions})"/>
    public static IServiceCollection AddDynamoDBEventJournal(this IServiceCollection services, string name, Action<OptionsBuilder<DynamoDBEventJournalOptions>>? configureOptions = null)
    {
        configureOptions?.Invoke(services.AddOptions<DynamoDBEventJournalOptions>(name));
        return services.AddEventJournal<DynamoDBEventJournalOptions>(
            name,
            (provider, options) =>
            {
                var (client, owned) = DynamoDBClients.Resolve(provider, options);
                return new DynamoDBEventJournalStore(client, owned, options, provider.GetRequiredService<ILogger<DynamoDBEventJournalStore>>());
            },
            DynamoDBEventJournalOptions.Validate);
    }
}
