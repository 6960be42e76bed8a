namespace UserData.Providers.DynamoDB.Clustering;

/// <summary>Where Orleans' membership table lives in DynamoDB; used by silos (membership) and clients (gateway list).</summary>
public sealed class DynamoDBClusteringOptions : DynamoDBProviderOptions
{
    public const string DefaultTableName = "userdata-membership";

    private const string Provider = "DynamoDB clustering";

    /// <summary>The table that holds every cluster's membership, one partition per cluster id.</summary>
    public string TableName { get; set; } = DefaultTableName;

    /// <summary>The name of the configuration key that sets <see cref="TableName"/>, for error messages.</summary>
    public string TableNameSetting { get; set; } = nameof(TableName);

    /// <summary>Throws <see cref="Orleans.Runtime.OrleansConfigurationException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Validate(Provider);
        ValidateTableName(Provider, TableNameSetting, TableName);
    }
}
