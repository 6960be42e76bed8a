using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace UserData.Providers.DynamoDB.GrainStorage;

/// <summary>Settings of a DynamoDB grain storage (<see cref="DynamoDBGrainStorageExtensions"/>).</summary>
public sealed class DynamoDBGrainStorageOptions : DynamoDBProviderOptions, IStorageProviderSerializerOptions
{
    /// <summary>The table (partition key <c>pk</c>, sort key <c>sk</c>, both strings).</summary>
    public string TableName { get; set; } = "userdata-grain-state";

    /// <summary>Whether clearing a state deletes its item; otherwise the item stays with no state and a new ETag.</summary>
    public bool DeleteStateOnClear { get; set; }

    /// <summary>
    /// Serializes states to UTF-8 JSON text. Defaults to the <see cref="IGrainStorageSerializer"/> registered under the
    /// provider's name, else Orleans' <see cref="SystemTextJsonGrainStorageSerializer"/>.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    internal void ValidateGrainStorage(string provider)
    {
        Validate(provider);
        ValidateTableName(provider, nameof(TableName), TableName);
        if (GrainStorageSerializer is null)
        {
            throw new OrleansConfigurationException($"{provider}: GrainStorageSerializer is not set.");
        }
    }
}

/// <summary>Checks a DynamoDB grain storage's settings, and the ServiceId it keys items with, at silo start.</summary>
internal sealed class DynamoDBGrainStorageOptionsValidator(DynamoDBGrainStorageOptions options, string serviceId, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var provider = $"DynamoDB grain storage '{name}'";
        options.ValidateGrainStorage(provider);

        // The partition key is "{ServiceId}/{GrainId}": a ServiceId without '/' keeps it unambiguous.
        if (string.IsNullOrEmpty(serviceId) || serviceId.Contains('/', StringComparison.Ordinal))
        {
            throw new OrleansConfigurationException($"{provider}: the cluster's ServiceId must be non-empty and without '/', not '{serviceId}'.");
        }
    }
}
