namespace UserData.Providers.DynamoDB;

/// <summary>What every DynamoDB provider needs: where the service is, and whether it may create its tables.</summary>
public abstract class DynamoDBProviderOptions
{
    /// <summary>Endpoint override (DynamoDB Local); null or empty for AWS's endpoint of <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The AWS region, e.g. <c>us-east-1</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Create missing tables at start; off when the deployment (CloudFormation) owns them.</summary>
    public bool CreateTables { get; set; } = true;

    /// <summary>The name of the configuration key that sets <see cref="CreateTables"/>, for error messages.</summary>
    public string CreateTablesSetting { get; set; } = nameof(CreateTables);

    /// <summary>Throws <see cref="Orleans.Runtime.OrleansConfigurationException"/> naming <paramref name="provider"/> when a setting is invalid.</summary>
    public void Validate(string provider)
    {
        if (!string.IsNullOrEmpty(ServiceUrl)
            && !(Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            throw new Orleans.Runtime.OrleansConfigurationException($"{provider}: ServiceUrl must be an absolute http or https URL, not '{ServiceUrl}'.");
        }

        if (string.IsNullOrWhiteSpace(Region) || !Region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new Orleans.Runtime.OrleansConfigurationException($"{provider}: Region must be an AWS region name such as us-east-1, not '{Region}'.");
        }
    }

    /// <summary>Throws when <paramref name="tableName"/> is not a valid DynamoDB table name (3-255 of letters, digits, '_', '-', '.').</summary>
    protected static void ValidateTableName(string provider, string setting, string? tableName)
    {
        if (tableName is null || tableName.Length is < 3 or > 255
            || !tableName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new Orleans.Runtime.OrleansConfigurationException(
                $"{provider}: {setting} must be a DynamoDB table name of 3-255 letters, digits, '_', '-' or '.', not '{tableName}'.");
        }
    }
}
