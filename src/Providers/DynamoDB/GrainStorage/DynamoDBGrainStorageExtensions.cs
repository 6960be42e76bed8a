using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using UserData.Providers.GrainStorage;

namespace UserData.Providers.DynamoDB.GrainStorage;

/// <summary>Registers a grain storage on a DynamoDB table, as Orleans' <c>Add...GrainStorage</c> methods do.</summary>
public static class DynamoDBGrainStorageExtensions
{
    /// <summary>
    /// Adds the grain storage <paramref name="name"/> (grains name it in <c>[PersistentState(stateName, name)]</c>) on a
    /// DynamoDB table. An <see cref="Amazon.DynamoDBv2.IAmazonDynamoDB"/> registered in the services is used when present.
    /// </summary>
    public static ISiloBuilder AddDynamoDBGrainStorage(this ISiloBuilder builder, string name, Action<DynamoDBGrainStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDynamoDBGrainStorage(name, configureOptions);
        return builder;
    }

    /// <inheritdoc cref="AddDynamoDBGrainStorage(ISiloBuilder, string, Action{DynamoDBGrainStorageOptions})"/>
    public static ISiloBuilder AddDynamoDBGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<DynamoDBGrainStorageOptions>>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddDynamoDBGrainStorage(name, configureOptions);
        return builder;
    }

    /// <inheritdoc cref="AddDynamoDBGrainStorage(ISiloBuilder, string, Action{DynamoDBGrainStorageOptions})"/>
    public static IServiceCollection AddDynamoDBGrainStorage(this IServiceCollection services, string name, Action<DynamoDBGrainStorageOptions> configureOptions) =>
        services.AddDynamoDBGrainStorage(name, options => options.Configure(configureOptions));

    /// <inheritdoc cref="AddDynamoDBGrainStorage(ISiloBuilder, string, Action{DynamoDBGrainStorageOptions})"/>
    public static IServiceCollection AddDynamoDBGrainStorage(this IServiceCollection services, string name, Action<OptionsBuilder<DynamoDBGrainStorageOptions>>? configureOptions = null) =>
        GrainStorageRegistration.Add(services, name, configureOptions,
            (sp, options) => new DynamoDBGrainStorageOptionsValidator(options, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, name),
            DynamoDBGrainStorage.Create);
}
