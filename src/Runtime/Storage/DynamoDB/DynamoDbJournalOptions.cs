using System.ComponentModel.DataAnnotations;

namespace UserData.Runtime.Storage.DynamoDB;

/// <summary>Where the DynamoDB journal lives (configuration section <c>Storage:DynamoDB</c>).</summary>
public sealed class DynamoDbJournalOptions : IValidatableObject
{
    public const string SectionName = "Storage:DynamoDB";

    /// <summary>Longest prefix that keeps <c>{prefix}snapshots</c> within DynamoDB's 255-character table names.</summary>
    public const int MaxTablePrefixLength = 255 - DynamoDbTables.LongestSuffixLength;

    /// <summary>Endpoint override (dynalite, DynamoDB Local); null for AWS's endpoint of <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    [Required]
    [RegularExpression("^[a-z0-9-]+$", ErrorMessage = "Region must be an AWS region name such as us-east-1.")]
    public string Region { get; set; } = "us-east-1";

    /// <summary>Prepended to every table name; DynamoDB allows letters, digits, '_', '-' and '.' in table names.</summary>
    [Required(AllowEmptyStrings = true)]
    [RegularExpression("^[A-Za-z0-9_.-]*$", ErrorMessage = "TablePrefix may only hold letters, digits, '_', '-' and '.' (DynamoDB table names).")]
    [MaxLength(MaxTablePrefixLength)]
    public string TablePrefix { get; set; } = "userdata-";

    /// <summary>Create missing tables at start; off when CloudFormation owns them.</summary>
    public bool CreateTables { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(ServiceUrl)
            && !(Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult(
                $"ServiceUrl must be an absolute http or https URL, not '{ServiceUrl}'.", [nameof(ServiceUrl)]);
        }
    }
}
