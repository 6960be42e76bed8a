using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;

namespace UserData.Providers.DynamoDB;

/// <summary>Makes sure a provider's table exists and is ACTIVE before its first use.</summary>
public static partial class DynamoDBTables
{
    // Real DynamoDB usually activates a table within seconds; DynamoDB Local at once.
    private static readonly TimeSpan ActiveTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Creates the table <paramref name="definition"/> describes when it is missing and <see cref="DynamoDBProviderOptions.CreateTables"/>
    /// allows (on-demand billing unless the definition says otherwise), then waits until it is ACTIVE. With creation off, a
    /// missing table is an error that names the table and the setting; the table is never created.
    /// </summary>
    public static async Task EnsureAsync(IAmazonDynamoDB client, CreateTableRequest definition, DynamoDBProviderOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var table = definition.TableName;
        if (await StatusAsync(client, table, cancellationToken).ConfigureAwait(false) is null)
        {
            if (!options.CreateTables)
            {
                throw new InvalidOperationException(
                    $"The DynamoDB table '{table}' does not exist and {options.CreateTablesSetting} is false: create it (the CloudFormation " +
                    $"stack does) or set {options.CreateTablesSetting}=true to let the process create it.");
            }

            LogCreatingTable(logger, table);
            definition.BillingMode ??= BillingMode.PAY_PER_REQUEST;
            try
            {
                await client.CreateTableAsync(definition, cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceInUseException)
            {
                // Another process created it first.
            }
        }

        var deadline = DateTime.UtcNow + ActiveTimeout;
        for (var status = await StatusAsync(client, table, cancellationToken).ConfigureAwait(false);
             status != TableStatus.ACTIVE;
             status = await StatusAsync(client, table, cancellationToken).ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The DynamoDB table '{table}' is still {status?.Value ?? "missing"} after {ActiveTimeout}.");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<TableStatus?> StatusAsync(IAmazonDynamoDB client, string table, CancellationToken cancellationToken)
    {
        try
        {
            var described = await client.DescribeTableAsync(new DescribeTableRequest { TableName = table }, cancellationToken).ConfigureAwait(false);
            return described.Table?.TableStatus;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Creating DynamoDB table {Table}")]
    private static partial void LogCreatingTable(ILogger logger, string table);
}
