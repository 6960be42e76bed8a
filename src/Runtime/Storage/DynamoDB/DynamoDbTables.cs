using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;

namespace UserData.Runtime.Storage.DynamoDB;

/// <summary>
/// The journal's two tables: their names, and making sure they exist and are ACTIVE before first use,
/// once per storage instance (a failed attempt is retried by the next caller).
/// </summary>
internal sealed partial class DynamoDbTables(IAmazonDynamoDB client, DynamoDbJournalOptions options, ILogger logger)
{
    internal const int LongestSuffixLength = 9; // "snapshots"

    private const string CreateTablesKey = "Storage__DynamoDB__CreateTables";

    // Real DynamoDB usually activates a table within seconds; dynalite within 500 ms.
    private static readonly TimeSpan ActiveTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private volatile Task? _ensured;

    public string Journal { get; } = options.TablePrefix + "journal";

    public string Snapshots { get; } = options.TablePrefix + "snapshots";

    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        var ensured = _ensured;
        if (ensured is { IsCompletedSuccessfully: true })
        {
            return Task.CompletedTask;
        }

        lock (_lock)
        {
            if (_ensured is null || _ensured.IsFaulted || _ensured.IsCanceled)
            {
                // Shared by every caller, so no single caller's token may cancel it; each caller stops waiting on its own.
                _ensured = Task.Run(() => EnsureAllAsync(CancellationToken.None), CancellationToken.None);
            }

            return _ensured.WaitAsync(cancellationToken);
        }
    }

    private async Task EnsureAllAsync(CancellationToken cancellationToken)
    {
        await EnsureAsync(Journal, "seq", ScalarAttributeType.N, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(Snapshots, "part", ScalarAttributeType.S, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureAsync(string table, string sortKey, ScalarAttributeType sortKeyType, CancellationToken cancellationToken)
    {
        if (await StatusAsync(table, cancellationToken).ConfigureAwait(false) is null)
        {
            if (!options.CreateTables)
            {
                throw new InvalidOperationException(
                    $"The DynamoDB table '{table}' does not exist and {CreateTablesKey} is false: create the table " +
                    $"(e.g. with the CloudFormation stack) or set {CreateTablesKey}=true to let the silo create it.");
            }

            await CreateAsync(table, sortKey, sortKeyType, cancellationToken).ConfigureAwait(false);
        }

        var deadline = DateTime.UtcNow + ActiveTimeout;
        for (var status = await StatusAsync(table, cancellationToken).ConfigureAwait(false);
             status != TableStatus.ACTIVE;
             status = await StatusAsync(table, cancellationToken).ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The DynamoDB table '{table}' is still {status?.Value ?? "missing"} after {ActiveTimeout}.");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CreateAsync(string table, string sortKey, ScalarAttributeType sortKeyType, CancellationToken cancellationToken)
    {
        LogCreatingTable(logger, table);
        try
        {
            await client.CreateTableAsync(
                new CreateTableRequest
                {
                    TableName = table,
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                    AttributeDefinitions =
                    [
                        new AttributeDefinition("grain", ScalarAttributeType.S),
                        new AttributeDefinition(sortKey, sortKeyType),
                    ],
                    KeySchema = [new KeySchemaElement("grain", KeyType.HASH), new KeySchemaElement(sortKey, KeyType.RANGE)],
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceInUseException)
        {
            // Another silo created it first.
        }
    }

    private async Task<TableStatus?> StatusAsync(string table, CancellationToken cancellationToken)
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
