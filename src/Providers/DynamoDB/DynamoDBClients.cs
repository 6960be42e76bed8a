using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Microsoft.Extensions.DependencyInjection;

namespace UserData.Providers.DynamoDB;

/// <summary>The DynamoDB client a provider uses: the application's own when it registered an <see cref="IAmazonDynamoDB"/>, otherwise one made from the options.</summary>
public static class DynamoDBClients
{
    /// <returns>The client, and whether the caller owns it (and so must dispose of it).</returns>
    public static (IAmazonDynamoDB Client, bool Owned) Resolve(IServiceProvider services, DynamoDBProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        return services.GetService<IAmazonDynamoDB>() is { } injected ? (injected, false) : (Create(options), true);
    }

    public static AmazonDynamoDBClient Create(DynamoDBProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            return new AmazonDynamoDBClient(new AmazonDynamoDBConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region) });
        }

        var config = new AmazonDynamoDBConfig { ServiceURL = options.ServiceUrl, AuthenticationRegion = options.Region };
        return new AmazonDynamoDBClient(Credentials(options), config);
    }

    /// <summary>
    /// The credentials of the SDK's default chain (the ECS task role in AWS); for a local endpoint (DynamoDB Local),
    /// which takes any credentials, fixed ones when the chain has none.
    /// </summary>
    public static AWSCredentials Credentials(DynamoDBProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = string.IsNullOrEmpty(options.ServiceUrl)
            ? new AmazonDynamoDBConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region) }
            : new AmazonDynamoDBConfig { ServiceURL = options.ServiceUrl, AuthenticationRegion = options.Region };
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
        }
        catch (AmazonClientException) when (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            return new BasicAWSCredentials("local", "local");
        }
    }
}
