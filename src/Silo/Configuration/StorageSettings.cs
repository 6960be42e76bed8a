using System.ComponentModel.DataAnnotations;

namespace UserData.Silo.Configuration;

public enum StorageProvider
{
    Sqlite,
    DynamoDB,
}

/// <summary>Where grain state and journals live (configuration section <c>Storage</c>).</summary>
public sealed class StorageSettings
{
    public const string SectionName = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    public SqliteStorageSettings Sqlite { get; set; } = new();

    public DynamoDBStorageSettings DynamoDB { get; set; } = new();
}

public sealed class SqliteStorageSettings
{
    /// <summary>The database file; a relative path is resolved against the working directory.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "data/userdata.db";
}

public sealed class DynamoDBStorageSettings
{
    /// <summary>Endpoint override (DynamoDB Local); empty for AWS's endpoint of <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Prepended to every table name (<c>journal</c>, <c>snapshots</c>, <c>grain-state</c>, <c>membership</c>).</summary>
    [RegularExpression("^[A-Za-z0-9_.-]*$", ErrorMessage = "Storage:DynamoDB:TablePrefix may only hold letters, digits, '_', '-' and '.' (DynamoDB table names).")]
    public string TablePrefix { get; set; } = "userdata-";

    /// <summary>Create missing tables at start; off when CloudFormation owns them.</summary>
    public bool CreateTables { get; set; } = true;
}
