using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using UserData.Providers.GrainStorage;

namespace UserData.Providers.DynamoDB.GrainStorage;

/// <summary>
/// Orleans grain storage in a DynamoDB table: one item per state, <c>pk</c> = <c>{ServiceId}/{GrainId}</c>,
/// <c>sk</c> = the state name, <c>etag</c>, <c>data</c> (the state as a JSON string; absent once cleared without
/// deleting the item) and <c>written_at</c>. Every write is one <c>PutItem</c> or <c>DeleteItem</c> conditioned on
/// the stored ETag (or on no item), and reads are strongly consistent, so an activation always starts from the last
/// acknowledged write. A state that would make an item over DynamoDB's 400 KB limit is refused before any call.
/// </summary>
internal sealed partial class DynamoDBGrainStorage : JsonGrainStorage
{
    private const string PartitionKey = "pk";
    private const string SortKey = "sk";
    private const string ETagAttribute = "etag";
    private const string DataAttribute = "data";
    private const string WrittenAtAttribute = "written_at";
    private const int MaxItemBytes = 400 * 1024;

    private readonly DynamoDBGrainStorageOptions _options;
    private readonly IServiceProvider _services;
    private IAmazonDynamoDB? _client;
    private bool _ownsClient;

    private DynamoDBGrainStorage(
        string name, DynamoDBGrainStorageOptions options, string serviceId, IServiceProvider services, IActivatorProvider activators, ILogger<DynamoDBGrainStorage> logger)
        : base(name, "dynamodb", serviceId, options.GrainStorageSerializer, options.DeleteStateOnClear, activators, logger)
    {
        _options = options;
        _services = services;
    }

    private IAmazonDynamoDB Client => _client ?? throw new InvalidOperationException($"Grain storage '{Name}' is not running.");

    public static DynamoDBGrainStorage Create(IServiceProvider services, string name) => new(
        name,
        services.GetRequiredService<IOptionsMonitor<DynamoDBGrainStorageOptions>>().Get(name),
        services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
        services,
        services.GetRequiredService<IActivatorProvider>(),
        services.GetRequiredService<ILogger<DynamoDBGrainStorage>>());

    protected override async Task StartStoreAsync(CancellationToken cancellationToken)
    {
        var (client, owned) = DynamoDBClients.Resolve(_services, _options);
        try
        {
            await DynamoDBTables.EnsureAsync(client, TableDefinition(), _options, Logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (owned)
            {
                client.Dispose();
            }

            throw;
        }

        (_client, _ownsClient) = (client, owned);
        LogStarted(Logger, Name, _options.TableName);
    }

    protected override Task StopStoreAsync(CancellationToken cancellationToken)
    {
        if (_ownsClient)
        {
            _client?.Dispose();
        }

        _client = null;
        return Task.CompletedTask;
    }

    protected override async Task<StoredGrainState?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken)
    {
        var response = await Client.GetItemAsync(
            new GetItemRequest { TableName = _options.TableName, Key = ItemKey(key), ConsistentRead = true }, cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item
            ? new StoredGrainState(item[ETagAttribute].S, item.TryGetValue(DataAttribute, out var data) ? data.S : null)
            : null;
    }

    protected override async Task<ConditionalWrite> WriteAsync(GrainStateKey key, string? expectedETag, StoredGrainState record, CancellationToken cancellationToken)
    {
        var item = ItemKey(key);
        item[ETagAttribute] = new AttributeValue(record.ETag);
        item[WrittenAtAttribute] = new AttributeValue(GrainStateTimestamp.Now());
        if (record.Json is not null)
        {
            item[DataAttribute] = new AttributeValue(record.Json);
        }

        ThrowIfOverItemLimit(key, item);
        var request = new PutItemRequest
        {
            TableName = _options.TableName,
            Item = item,
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };
        (request.ConditionExpression, request.ExpressionAttributeNames, request.ExpressionAttributeValues) = StoredETagIs(expectedETag);
        return await ConditionallyAsync(() => Client.PutItemAsync(request, cancellationToken)).ConfigureAwait(false);
    }

    protected override Task<ConditionalWrite> DeleteAsync(GrainStateKey key, string? expectedETag, CancellationToken cancellationToken)
    {
        var request = new DeleteItemRequest
        {
            TableName = _options.TableName,
            Key = ItemKey(key),
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };
        (request.ConditionExpression, request.ExpressionAttributeNames, request.ExpressionAttributeValues) = StoredETagIs(expectedETag);
        return ConditionallyAsync(() => Client.DeleteItemAsync(request, cancellationToken));
    }

    protected override Task ProbeAsync(CancellationToken cancellationToken) =>
        Client.GetItemAsync(new GetItemRequest
        {
            TableName = _options.TableName,
            Key = new() { [PartitionKey] = new AttributeValue("$health"), [SortKey] = new AttributeValue("$health") },
        }, cancellationToken);

    private static Dictionary<string, AttributeValue> ItemKey(GrainStateKey key) => new()
    {
        [PartitionKey] = new AttributeValue($"{key.ServiceId}/{key.GrainId}"),
        [SortKey] = new AttributeValue(key.StateName),
    };

    /// <summary>The condition that the stored ETag is <paramref name="expectedETag"/>, or that there is no item when it is null.</summary>
    private static (string Condition, Dictionary<string, string>? Names, Dictionary<string, AttributeValue>? Values) StoredETagIs(string? expectedETag) =>
        expectedETag is null
            ? ($"attribute_not_exists({PartitionKey})", null, null)
            : ("#etag = :etag", new() { ["#etag"] = ETagAttribute }, new() { [":etag"] = new AttributeValue(expectedETag) });

    /// <summary>Runs a conditional call; a failed condition is a conflict with the ETag of the item DynamoDB returned (ALL_OLD), if any.</summary>
    private static async Task<ConditionalWrite> ConditionallyAsync(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
            return ConditionalWrite.Done;
        }
        catch (ConditionalCheckFailedException conflict)
        {
            return ConditionalWrite.Conflict(conflict.Item is { } item && item.TryGetValue(ETagAttribute, out var etag) ? etag.S : null);
        }
    }

    /// <summary>DynamoDB counts an item's size as the UTF-8 lengths of its attribute names and string values.</summary>
    private void ThrowIfOverItemLimit(GrainStateKey key, Dictionary<string, AttributeValue> item)
    {
        var size = item.Sum(attribute => Encoding.UTF8.GetByteCount(attribute.Key) + Encoding.UTF8.GetByteCount(attribute.Value.S));
        if (size > MaxItemBytes)
        {
            throw new ArgumentOutOfRangeException(
                "grainState", size,
                $"Grain storage '{Name}' cannot store the state '{key.StateName}' of grain {key.GrainId}: as a DynamoDB item it is {size} bytes, " +
                $"over DynamoDB's item limit of {MaxItemBytes} bytes. This storage is for small states.");
        }
    }

    private CreateTableRequest TableDefinition() => new()
    {
        TableName = _options.TableName,
        AttributeDefinitions = [new AttributeDefinition(PartitionKey, ScalarAttributeType.S), new AttributeDefinition(SortKey, ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement(PartitionKey, KeyType.HASH), new KeySchemaElement(SortKey, KeyType.RANGE)],
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Grain storage {Provider} keeps states in the DynamoDB table {Table}")]
    private static partial void LogStarted(ILogger logger, string provider, string table);
}
