using Amazon.DynamoDBv2;
using Amazon.Runtime;
using UserData.TestSupport;

namespace UserData.Providers.Tests.DynamoDB;

/// <summary>Clients of the test process's shared DynamoDB Local.</summary>
public static class DynamoDBLocalClient
{
    public static async Task<AmazonDynamoDBClient> CreateAsync()
    {
        var server = await DynamoDbLocal.Shared;
        return new AmazonDynamoDBClient(
            new BasicAWSCredentials(DynamoDbLocal.AccessKey, DynamoDbLocal.SecretKey),
            new AmazonDynamoDBConfig { ServiceURL = server.ServiceUrl, AuthenticationRegion = DynamoDbLocal.Region });
    }
}
