using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Messaging;

namespace UserData.Providers.DynamoDB.Clustering;

/// <summary>Registers DynamoDB clustering: the membership table on silos, the gateway list on clients.</summary>
public static class DynamoDBClusteringExtensions
{
    /// <summary>Keeps this silo's cluster membership in DynamoDB.</summary>
    public static ISiloBuilder UseDynamoDBClustering(this ISiloBuilder builder, Action<DynamoDBClusteringOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(configureOptions);
        return builder.UseDynamoDBClustering(options => options.Configure(configureOptions));
    }

    /// <inheritdoc cref="UseDynamoDBClustering(ISiloBuilder, Action{DynamoDBClusteringOptions})"/>
    public static ISiloBuilder UseDynamoDBClustering(this ISiloBuilder builder, Action<OptionsBuilder<DynamoDBClusteringOptions>> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureOptions);
        AddOptions(builder.Services, configureOptions);
        builder.Services.AddSingleton<IMembershipTable, DynamoDBMembershipTable>();
        return builder;
    }

    /// <summary>Finds the cluster's gateways in the DynamoDB membership table.</summary>
    public static IClientBuilder UseDynamoDBClustering(this IClientBuilder builder, Action<DynamoDBClusteringOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(configureOptions);
        return builder.UseDynamoDBClustering(options => options.Configure(configureOptions));
    }

    /// <inheritdoc cref="UseDynamoDBClustering(IClientBuilder, Action{DynamoDBClusteringOptions})"/>
    public static IClientBuilder UseDynamoDBClustering(this IClientBuilder builder, Action<OptionsBuilder<DynamoDBClusteringOptions>> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureOptions);
        AddOptions(builder.Services, configureOptions);
        builder.Services.AddSingleton<IGatewayListProvider, DynamoDBGatewayListProvider>();
        return builder;
    }

    private static void AddOptions(IServiceCollection services, Action<OptionsBuilder<DynamoDBClusteringOptions>> configureOptions)
    {
        configureOptions(services.AddOptions<DynamoDBClusteringOptions>());
        services.AddSingleton<IConfigurationValidator, DynamoDBClusteringOptionsValidator>();
    }
}
