using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using UserData.Providers.ChangeFeed;
using UserData.Providers.Journal;

namespace UserData.Providers.DynamoDB.ChangeFeed;

/// <summary>
/// Change feed consumer state in a DynamoDB table: partition key <c>consumer</c> (S), sort key <c>key</c> (S). A shard's
/// item is <c>shard#{id}</c> with <c>owner</c>, <c>counter</c> (N), <c>position</c>, <c>pending_after</c>,
/// <c>pending_through</c>, <c>ended</c> (BOOL), <c>updated_at</c>; an erased stream's is <c>erased#{stream}</c> with
/// <c>recorded_at</c> and <c>applied_at</c>. Every lease write is a conditional write on <c>owner</c> or <c>counter</c>.
/// </summary>
public sealed class DynamoDBChangeFeedCheckpoints : IChangeFeedCheckpoints
{
    private const string ShardPrefix = "shard#";
    private const string ErasedPrefix = "erased#";

    private readonly IAmazonDynamoDB _client;
    private readonly string _table;
    private readonly DynamoDBProviderOptions _options;
    private readonly ILogger _logger;

    public DynamoDBChangeFeedCheckpoints(IAmazonDynamoDB client, string tableName, DynamoDBProviderOptions options, ILogger<DynamoDBChangeFeedCheckpoints> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _table = tableName;
        _options = options;
        _logger = logger;
    }

    public string Provider => "dynamodb";

    public Task StartAsync(CancellationToken cancellationToken) => DynamoDBTables.EnsureAsync(
        _client,
        new CreateTableRequest
        {
            TableName = _table,
            AttributeDefinitions = [new AttributeDefinition("consumer", ScalarAttributeType.S), new AttributeDefinition("key", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("consumer", KeyType.HASH), new KeySchemaElement("key", KeyType.RANGE)],
        },
        _options, _logger, cancellationToken);

    public async Task<IReadOnlyList<ShardCheckpoint>> ListShardsAsync(string consumer, CancellationToken cancellationToken) =>
        [.. (await QueryPrefixAsync(consumer, ShardPrefix, cancellationToken).ConfigureAwait(false)).Select(ToShard)];

    public async Task<ShardCheckpoint?> TryClaimAsync(string consumer, string shard, string owner, long? expectedCounter, CancellationToken cancellationToken)
    {
        var request = new UpdateItemRequest
        {
            TableName = _table,
            Key = Key(consumer, ShardPrefix + shard),
            UpdateExpression = "SET #owner = :owner, #updated_at = :now ADD #counter :one",
            ConditionExpression = expectedCounter is null ? "attribute_not_exists(#key)" : "#counter = :expected",
            ExpressionAttributeNames = new() { ["#owner"] = "owner", ["#updated_at"] = "updated_at", ["#counter"] = "counter" },
            ExpressionAttributeValues = new() { [":owner"] = new() { S = owner }, [":now"] = Now(), [":one"] = Number(1) },
            ReturnValues = ReturnValue.ALL_NEW,
        };
        if (expectedCounter is { } expected)
        {
            request.ExpressionAttributeValues[":expected"] = Number(expected);
        }
        else
        {
            request.ExpressionAttributeNames["#key"] = "key";
        }

        try
        {
            return ToShard((await _client.UpdateItemAsync(request, cancellationToken).ConfigureAwait(false)).Attributes);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    public async Task<long?> TryRenewAsync(string consumer, string shard, string owner, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await _client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = _table,
                    Key = Key(consumer, ShardPrefix + shard),
                    UpdateExpression = "SET #updated_at = :now ADD #counter :one",
                    ConditionExpression = "#owner = :owner",
                    ExpressionAttributeNames = new() { ["#owner"] = "owner", ["#updated_at"] = "updated_at", ["#counter"] = "counter" },
                    ExpressionAttributeValues = new() { [":owner"] = new() { S = owner }, [":now"] = Now(), [":one"] = Number(1) },
                    ReturnValues = ReturnValue.UPDATED_NEW,
                },
                cancellationToken).ConfigureAwait(false);
            return long.Parse(answer.Attributes["counter"].N, CultureInfo.InvariantCulture);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    public Task<bool> TryBeginBatchAsync(string consumer, string shard, string owner, string? after, string through, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, AttributeValue> { [":through"] = new() { S = through } };
        if (after is not null)
        {
            values[":after"] = new() { S = after };
        }

        return UpdateOwnedAsync(
            consumer, shard, owner,
            after is null ? "SET #pending_through = :through REMOVE #pending_after" : "SET #pending_after = :after, #pending_through = :through",
            values, cancellationToken);
    }

    public Task<bool> TryCommitAsync(string consumer, string shard, string owner, string position, bool shardEnded, CancellationToken cancellationToken) =>
        UpdateOwnedAsync(
            consumer, shard, owner,
            "SET #position = :position, #ended = :ended REMOVE #pending_after, #pending_through",
            new() { [":position"] = new() { S = position }, [":ended"] = new() { BOOL = shardEnded } },
            cancellationToken);

    public Task ReleaseAsync(string consumer, string shard, string owner, CancellationToken cancellationToken) =>
        UpdateOwnedAsync(consumer, shard, owner, "REMOVE #owner", [], cancellationToken);

    public async Task RecordErasureAsync(string consumer, string stream, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = _table,
                    Item = new(Key(consumer, ErasedPrefix + stream)) { ["recorded_at"] = Now() },
                    ConditionExpression = "attribute_not_exists(#key)",
                    ExpressionAttributeNames = new() { ["#key"] = "key" },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // Recorded before (a replayed batch): keep the first record and whether it was applied.
        }
    }

    public async Task<IReadOnlyList<ErasedStream>> ListErasuresAsync(string consumer, CancellationToken cancellationToken) =>
        [.. (await QueryPrefixAsync(consumer, ErasedPrefix, cancellationToken).ConfigureAwait(false))
            .Select(item => new ErasedStream(item["key"].S[ErasedPrefix.Length..], item.ContainsKey("applied_at")))];

    public async Task MarkErasureAppliedAsync(string consumer, string stream, CancellationToken cancellationToken) =>
        await _client.UpdateItemAsync(
            new UpdateItemRequest
            {
                TableName = _table,
                Key = Key(consumer, ErasedPrefix + stream),
                UpdateExpression = "SET #applied_at = if_not_exists(#applied_at, :now)",
                ExpressionAttributeNames = new() { ["#applied_at"] = "applied_at" },
                ExpressionAttributeValues = new() { [":now"] = Now() },
            },
            cancellationToken).ConfigureAwait(false);

    private async Task<bool> UpdateOwnedAsync(
        string consumer, string shard, string owner, string update, Dictionary<string, AttributeValue> values, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string> { ["#owner"] = "owner", ["#updated_at"] = "updated_at" };
        foreach (var name in new[] { "pending_after", "pending_through", "position", "ended" }.Where(name => update.Contains('#' + name, StringComparison.Ordinal)))
        {
            names['#' + name] = name;
        }

        values[":owner"] = new() { S = owner };
        values[":now"] = Now();
        var set = update.StartsWith("SET ", StringComparison.Ordinal) ? update.Replace("SET ", "SET #updated_at = :now, ", StringComparison.Ordinal) : "SET #updated_at = :now " + update;
        try
        {
            await _client.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = _table,
                    Key = Key(consumer, ShardPrefix + shard),
                    UpdateExpression = set,
                    ConditionExpression = "#owner = :owner",
                    ExpressionAttributeNames = names,
                    ExpressionAttributeValues = values,
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private async Task<List<Dictionary<string, AttributeValue>>> QueryPrefixAsync(string consumer, string prefix, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        var request = new QueryRequest
        {
            TableName = _table,
            KeyConditionExpression = "#consumer = :consumer AND begins_with(#key, :prefix)",
            ExpressionAttributeNames = new() { ["#consumer"] = "consumer", ["#key"] = "key" },
            ExpressionAttributeValues = new() { [":consumer"] = new() { S = consumer }, [":prefix"] = new() { S = prefix } },
            ConsistentRead = true,
        };
        do
        {
            var page = await _client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items ?? []);
            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (request.ExclusiveStartKey is not null);
        return items;
    }

    private static ShardCheckpoint ToShard(Dictionary<string, AttributeValue> item) => new(
        item["key"].S[ShardPrefix.Length..],
        item.GetValueOrDefault("owner")?.S,
        long.Parse(item["counter"].N, CultureInfo.InvariantCulture),
        item.GetValueOrDefault("position")?.S,
        item.GetValueOrDefault("pending_after")?.S,
        item.GetValueOrDefault("pending_through")?.S,
        item.GetValueOrDefault("ended")?.BOOL ?? false);

    private static Dictionary<string, AttributeValue> Key(string consumer, string key) =>
        new() { ["consumer"] = new() { S = consumer }, ["key"] = new() { S = key } };

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static AttributeValue Now() => new() { S = JournalTimestamp.ToText(DateTimeOffset.UtcNow) };
}
