using Microsoft.Extensions.Options;
using Orleans;

namespace UserData.Providers.DynamoDB.Clustering;

/// <summary>Checks <see cref="DynamoDBClusteringOptions"/> when the silo or client starts.</summary>
public sealed class DynamoDBClusteringOptionsValidator(IOptions<DynamoDBClusteringOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration() => options.Value.Validate();
}
