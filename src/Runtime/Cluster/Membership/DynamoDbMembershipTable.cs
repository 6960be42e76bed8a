using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using UserData.Runtime.Hosting;

namespace UserData.Runtime.Cluster.Membership;

/// <summary>
/// <c>{prefix}membership</c>: partition key <c>cluster</c> (S, the cluster id), sort key <c>silo</c> (S, the silo id);
/// attributes <c>address</c>, <c>status</c>, <c>started_at</c>, <c>heartbeat</c> (S, ISO 8601 UTC with ms),
/// <c>activations</c> (N), <c>activations_by_type</c> (M of N) and the process's usage at that heartbeat:
/// <c>cpu_percent_of_machine</c>, <c>working_set_bytes</c>, <c>gc_heap_bytes</c> (N; absent in rows of older silos).
/// Conditional writes only, no transactions.
/// </summary>
internal sealed partial class DynamoDbMembershipTable(
    IAmazonDynamoDB client, string tableName, string clusterId, bool createTables, ILogger<DynamoDbMembershipTable> logger)
    : IMembershipTable
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private static readonly TimeSpan ActiveTimeout = TimeSpan.FromMinutes(2);

    private readonly SemaphoreSlim _ensureLock = new(1, 1);
    private volatile bool _ensured;

    public string TableName { get; } = tableName;

    public async Task<IReadOnlyList<MembershipEntry>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<MembershipEntry>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await client.QueryAsync(
                new QueryRequest
                {
                    TableName = TableName,
                    ConsistentRead = true,
                    KeyConditionExpression = "#c = :c",
                    ExpressionAttributeNames = new() { ["#c"] = "cluster" },
                    ExpressionAttributeValues = new() { [":c"] = new AttributeValue { S = clusterId } },
                    ExclusiveStartKey = start,
                },
                cancellationToken).ConfigureAwait(false);
            entries.AddRange((page.Items ?? []).Select(Parse));
            start = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (start is not null);

        return entries;
    }

    public async Task InsertAsync(MembershipEntry entry, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        await client.PutItemAsync(
            new PutItemRequest
            {
                TableName = TableName,
                Item = ToItem(entry),
                ConditionExpression = "attribute_not_exists(silo)",
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RenewAsync(MembershipEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = TableName,
                    Key = Key(entry.SiloId),
                    UpdateExpression = entry.Usage is null
                        ? "SET #s = :s, heartbeat = :h, activations = :a, activations_by_type = :t"
                        : "SET #s = :s, heartbeat = :h, activations = :a, activations_by_type = :t, " +
                          "cpu_percent_of_machine = :cpu, working_set_bytes = :ws, gc_heap_bytes = :gc",
                    ConditionExpression = "attribute_exists(silo) AND #s <> :dead",
                    ExpressionAttributeNames = new() { ["#s"] = "status" },
                    ExpressionAttributeValues = RenewValues(entry),
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async Task<bool> DeclareDeadAsync(string siloId, DateTimeOffset observedHeartbeat, CancellationToken cancellationToken)
    {
        try
        {
            await client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = TableName,
                    Key = Key(siloId),
                    UpdateExpression = "SET #s = :dead",
                    ConditionExpression = "heartbeat = :h AND #s <> :dead",
                    ExpressionAttributeNames = new() { ["#s"] = "status" },
                    ExpressionAttributeValues = new()
                    {
                        [":h"] = new AttributeValue { S = Format(observedHeartbeat) },
                        [":dead"] = new AttributeValue { S = nameof(SiloStatus.Dead) },
                    },
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async Task DeleteDeadAsync(string siloId, CancellationToken cancellationToken)
    {
        try
        {
            await client.DeleteItemAsync(
                new DeleteItemRequest
                {
                    TableName = TableName,
                    Key = Key(siloId),
                    ConditionExpression = "#s = :dead",
                    ExpressionAttributeNames = new() { ["#s"] = "status" },
                    ExpressionAttributeValues = new() { [":dead"] = new AttributeValue { S = nameof(SiloStatus.Dead) } },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // Not Dead (or already gone): nothing to clean up.
        }
    }

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (_ensured)
        {
            return;
        }

        await _ensureLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_ensured)
            {
                await CreateIfMissingAsync(cancellationToken).ConfigureAwait(false);
                _ensured = true;
            }
        }
        finally
        {
            _ensureLock.Release();
        }
    }

    private async Task CreateIfMissingAsync(CancellationToken cancellationToken)
    {
        if (await StatusAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            if (!createTables)
            {
                throw new InvalidOperationException(
                    $"The DynamoDB table '{TableName}' does not exist and Storage__DynamoDB__CreateTables is false: create it " +
                    "(e.g. with the CloudFormation stack) or set Storage__DynamoDB__CreateTables=true.");
            }

            LogCreatingTable(logger, TableName);
            try
            {
                await client.CreateTableAsync(
                    new CreateTableRequest
                    {
                        TableName = TableName,
                        BillingMode = BillingMode.PAY_PER_REQUEST,
                        AttributeDefinitions =
                        [
                            new AttributeDefinition("cluster", ScalarAttributeType.S),
                            new AttributeDefinition("silo", ScalarAttributeType.S),
                        ],
                        KeySchema = [new KeySchemaElement("cluster", KeyType.HASH), new KeySchemaElement("silo", KeyType.RANGE)],
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceInUseException)
            {
                // Another silo created it first.
            }
        }

        var deadline = DateTime.UtcNow + ActiveTimeout;
        while (await StatusAsync(cancellationToken).ConfigureAwait(false) != TableStatus.ACTIVE)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The DynamoDB table '{TableName}' is not ACTIVE after {ActiveTimeout}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TableStatus?> StatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            var described = await client.DescribeTableAsync(new DescribeTableRequest { TableName = TableName }, cancellationToken).ConfigureAwait(false);
            return described.Table?.TableStatus;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    private Dictionary<string, AttributeValue> Key(string siloId) => new()
    {
        ["cluster"] = new AttributeValue { S = clusterId },
        ["silo"] = new AttributeValue { S = siloId },
    };

    private static Dictionary<string, AttributeValue> RenewValues(MembershipEntry entry)
    {
        var values = new Dictionary<string, AttributeValue>
        {
            [":s"] = new AttributeValue { S = entry.Status.ToString() },
            [":h"] = new AttributeValue { S = Format(entry.Heartbeat) },
            [":a"] = Number(entry.Activations),
            [":t"] = new AttributeValue { M = entry.ActivationsByType.ToDictionary(pair => pair.Key, pair => Number(pair.Value)) },
            [":dead"] = new AttributeValue { S = nameof(SiloStatus.Dead) },
        };
        if (entry.Usage is { } usage)
        {
            values[":cpu"] = Number(usage.CpuPercentOfMachine);
            values[":ws"] = Number(usage.WorkingSetBytes);
            values[":gc"] = Number(usage.GcHeapBytes);
        }

        return values;
    }

    private Dictionary<string, AttributeValue> ToItem(MembershipEntry entry)
    {
        var item = Key(entry.SiloId);
        item["address"] = new AttributeValue { S = entry.Address };
        item["status"] = new AttributeValue { S = entry.Status.ToString() };
        item["started_at"] = new AttributeValue { S = Format(entry.StartedAt) };
        item["heartbeat"] = new AttributeValue { S = Format(entry.Heartbeat) };
        item["activations"] = Number(entry.Activations);
        item["activations_by_type"] = new AttributeValue { M = entry.ActivationsByType.ToDictionary(pair => pair.Key, pair => Number(pair.Value)) };
        if (entry.Usage is { } usage)
        {
            item["cpu_percent_of_machine"] = Number(usage.CpuPercentOfMachine);
            item["working_set_bytes"] = Number(usage.WorkingSetBytes);
            item["gc_heap_bytes"] = Number(usage.GcHeapBytes);
        }

        return item;
    }

    private static MembershipEntry Parse(Dictionary<string, AttributeValue> item) => new(
        item["silo"].S,
        item["address"].S,
        Enum.Parse<SiloStatus>(item["status"].S),
        ParseTime(item["started_at"].S),
        ParseTime(item["heartbeat"].S),
        item.TryGetValue("activations", out var activations) ? int.Parse(activations.N, CultureInfo.InvariantCulture) : 0,
        item.TryGetValue("activations_by_type", out var byType) && byType.M is not null
            ? byType.M.ToDictionary(pair => pair.Key, pair => int.Parse(pair.Value.N, CultureInfo.InvariantCulture))
            : new Dictionary<string, int>(),
        ParseUsage(item));

    // Rows of silos that predate usage reporting have none of the three attributes.
    private static ProcessUsage? ParseUsage(Dictionary<string, AttributeValue> item) =>
        item.TryGetValue("cpu_percent_of_machine", out var cpu) && item.TryGetValue("working_set_bytes", out var workingSet) &&
        item.TryGetValue("gc_heap_bytes", out var gcHeap)
            ? new ProcessUsage(
                double.Parse(cpu.N, CultureInfo.InvariantCulture),
                long.Parse(workingSet.N, CultureInfo.InvariantCulture),
                long.Parse(gcHeap.N, CultureInfo.InvariantCulture))
            : null;

    private static AttributeValue Number(int value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    // Two decimals are all a dashboard shows; fewer digits keep the row small.
    private static AttributeValue Number(double value) => new() { N = Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture) };

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Creating DynamoDB table {Table}")]
    private static partial void LogCreatingTable(ILogger logger, string table);
}
