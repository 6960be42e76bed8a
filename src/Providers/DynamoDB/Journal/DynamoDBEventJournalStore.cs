using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using UserData.Providers.Journal;

namespace UserData.Providers.DynamoDB.Journal;

/// <summary>
/// The event journal on DynamoDB: one conditional put per append, no transactions.
/// </summary>
/// <remarks>
/// <para>
/// Journal table (<see cref="DynamoDBEventJournalOptions.JournalTableName"/>): partition key <c>stream</c> (S, the grain
/// id, e.g. <c>user/0b9...</c>), sort key <c>seq</c> (N). One item per append (one batch of events): <c>seq</c> is its
/// first sequence number, <c>last_seq</c> (N) its last, <c>written_at</c> (S, ISO 8601 UTC with milliseconds),
/// <c>append_id</c> (S) and <c>events</c> (L of S: each event's JSON, readable). The item is put with
/// <c>attribute_not_exists</c> on its key. That fences every sequence number of the append because a writer's version is
/// always the last sequence number of an item it read or wrote: two writers at one version both put the key
/// <c>version + 1</c>, and exactly one wins. A put whose condition fails reads the stored item back: our own
/// <c>append_id</c> there means an earlier attempt (or the SDK's own retry) had succeeded. Created by the provider, the
/// table has DynamoDB Streams on with new and old images, for the change feed.
/// </para>
/// <para>
/// Erasure and compaction remove <c>events</c> from the items they cover and keep them (key, <c>last_seq</c>,
/// <c>written_at</c>, <c>append_id</c>) as the fence; in an item that also holds events outside the redacted range, the
/// redacted elements of <c>events</c> become NULL. Reads skip both.
/// </para>
/// <para>Snapshot table: see <c>DynamoDBEventJournalStore.Snapshots.cs</c>.</para>
/// </remarks>
internal sealed partial class DynamoDBEventJournalStore : IEventJournalStore
{
    /// <summary>DynamoDB's limit on a partition key value.</summary>
    public const int MaxPartitionKeyBytes = 2048;

    /// <summary>DynamoDB's limit on an item, attribute names included.</summary>
    public const int MaxItemBytes = 400 * 1024;

    // A partition key no grain id takes (grain ids are type/key), read by the health check.
    private const string HealthKey = "health-check";

    private readonly IAmazonDynamoDB _client;
    private readonly bool _ownsClient;
    private readonly DynamoDBEventJournalOptions _options;
    private readonly ILogger _logger;
    private readonly string _journalTable;
    private readonly string _snapshotTable;

    /// <param name="ownsClient">Dispose of <paramref name="client"/> when the store stops.</param>
    public DynamoDBEventJournalStore(IAmazonDynamoDB client, bool ownsClient, DynamoDBEventJournalOptions options, ILogger<DynamoDBEventJournalStore> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _ownsClient = ownsClient;
        _options = options;
        _logger = logger;
        _journalTable = options.JournalTableName;
        _snapshotTable = options.SnapshotTableName;
    }

    public string Provider => "dynamodb";

    /// <summary>Makes sure both tables exist (creating them unless <see cref="DynamoDBProviderOptions.CreateTables"/> is off) and are ACTIVE.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await DynamoDBTables.EnsureAsync(_client, JournalTableDefinition(), _options, _logger, cancellationToken).ConfigureAwait(false);
        await DynamoDBTables.EnsureAsync(_client, SnapshotTableDefinition(), _options, _logger, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }

        return Task.CompletedTask;
    }

    public async Task<AppendResult> AppendAsync(JournalAppend append)
    {
        ArgumentNullException.ThrowIfNull(append);
        var item = new Dictionary<string, AttributeValue>
        {
            ["stream"] = new() { S = PartitionKey(append.Stream) },
            ["seq"] = Number(append.FirstSeq),
            ["last_seq"] = Number(append.LastSeq),
            ["written_at"] = new() { S = JournalTimestamp.ToText(DateTimeOffset.UtcNow) },
            ["append_id"] = new() { S = append.AppendId },
            ["events"] = new() { L = [.. append.Events.Select(entry => new AttributeValue { S = entry.Json })] },
        };
        var size = ItemBytes(item);
        if (size > MaxItemBytes)
        {
            throw new InvalidOperationException(
                $"The append of {append.Events.Count} event(s) to {append.Stream} would be a {size}-byte DynamoDB item; " +
                $"an append must fit one item of {MaxItemBytes} bytes (400 KB).");
        }

        try
        {
            await _client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = _journalTable,
                    Item = item,
                    ConditionExpression = "attribute_not_exists(#stream)",
                    ExpressionAttributeNames = new() { ["#stream"] = "stream" },
                    ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
                }).ConfigureAwait(false);
            return AppendResult.Appended;
        }
        catch (ConditionalCheckFailedException taken)
        {
            return taken.Item?.GetValueOrDefault("append_id")?.S == append.AppendId ? AppendResult.AlreadyAppended : AppendResult.Conflict;
        }
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(string stream, long afterSeq, long throughSeq, int maxCount, CancellationToken cancellationToken)
    {
        var events = new List<StoredEvent>();
        if (throughSeq <= afterSeq)
        {
            return events;
        }

        // Every item holds at most one event per sequence number, so maxCount items always suffice unless some are erased.
        var request = new QueryRequest
        {
            TableName = _journalTable,
            KeyConditionExpression = "#stream = :stream AND #seq BETWEEN :from AND :through",
            ExpressionAttributeNames = new() { ["#stream"] = "stream", ["#seq"] = "seq" },
            ExpressionAttributeValues = new()
            {
                [":stream"] = new() { S = PartitionKey(stream) },
                [":from"] = Number(afterSeq + 1),
                [":through"] = Number(throughSeq),
            },
            ConsistentRead = true,
            Limit = maxCount,
        };
        var page = await _client.QueryAsync(request, cancellationToken).ConfigureAwait(false);

        // afterSeq inside an append (a snapshot's version may be): that item's key is at or before afterSeq.
        if (afterSeq > 0
            && (page.Items is not { Count: > 0 } || LongAttribute(page.Items[0], "seq") != afterSeq + 1)
            && await ReadAppendAtOrBeforeAsync(stream, afterSeq, cancellationToken).ConfigureAwait(false) is { } straddling)
        {
            AddEvents(events, straddling, afterSeq, throughSeq, maxCount);
        }

        while (true)
        {
            foreach (var item in page.Items ?? [])
            {
                AddEvents(events, item, afterSeq, throughSeq, maxCount);
            }

            if (events.Count >= maxCount || page.LastEvaluatedKey is not { Count: > 0 })
            {
                return events;
            }

            request.ExclusiveStartKey = page.LastEvaluatedKey;
            request.Limit = maxCount - events.Count;
            page = await _client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <remarks>DynamoDB keeps no copy of a changed attribute, so both kinds of redaction are the same here.</remarks>
    public async Task RedactAsync(string stream, long afterSeq, long throughSeq, RedactionKind kind)
    {
        if (throughSeq <= afterSeq)
        {
            return;
        }

        // An append that starts at or before afterSeq may still hold events after it.
        if (afterSeq > 0
            && await ReadAppendAtOrBeforeAsync(stream, afterSeq, CancellationToken.None).ConfigureAwait(false) is { } straddling
            && straddling.ContainsKey("events")
            && LongAttribute(straddling, "last_seq") > afterSeq)
        {
            await RedactItemAsync(stream, LongAttribute(straddling, "seq"), LongAttribute(straddling, "last_seq"), afterSeq, throughSeq).ConfigureAwait(false);
        }

        var request = new QueryRequest
        {
            TableName = _journalTable,
            KeyConditionExpression = "#stream = :stream AND #seq BETWEEN :from AND :through",
            FilterExpression = "attribute_exists(#events)",
            ProjectionExpression = "#seq, #last_seq",
            ExpressionAttributeNames = new() { ["#stream"] = "stream", ["#seq"] = "seq", ["#last_seq"] = "last_seq", ["#events"] = "events" },
            ExpressionAttributeValues = new()
            {
                [":stream"] = new() { S = PartitionKey(stream) },
                [":from"] = Number(afterSeq + 1),
                [":through"] = Number(throughSeq),
            },
            ConsistentRead = true,
        };
        do
        {
            var page = await _client.QueryAsync(request).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                await RedactItemAsync(stream, LongAttribute(item, "seq"), LongAttribute(item, "last_seq"), afterSeq, throughSeq).ConfigureAwait(false);
            }

            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (request.ExclusiveStartKey is not null);
    }

    /// <summary>Reads a key that is never written from each table: cheap, and fails when a table or the service is unreachable.</summary>
    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        await _client.GetItemAsync(
            new GetItemRequest { TableName = _journalTable, Key = new() { ["stream"] = new() { S = HealthKey }, ["seq"] = Number(0) } },
            cancellationToken).ConfigureAwait(false);
        await _client.GetItemAsync(
            new GetItemRequest { TableName = _snapshotTable, Key = new() { ["stream"] = new() { S = HealthKey }, ["part"] = new() { S = Head } } },
            cancellationToken).ConfigureAwait(false);
    }

    private CreateTableRequest JournalTableDefinition() => new()
    {
        TableName = _journalTable,
        AttributeDefinitions = [new AttributeDefinition("stream", ScalarAttributeType.S), new AttributeDefinition("seq", ScalarAttributeType.N)],
        KeySchema = [new KeySchemaElement("stream", KeyType.HASH), new KeySchemaElement("seq", KeyType.RANGE)],
        StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
    };

    private CreateTableRequest SnapshotTableDefinition() => new()
    {
        TableName = _snapshotTable,
        AttributeDefinitions = [new AttributeDefinition("stream", ScalarAttributeType.S), new AttributeDefinition("part", ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement("stream", KeyType.HASH), new KeySchemaElement("part", KeyType.RANGE)],
    };

    /// <summary>
    /// Removes the item's events when all of them are in the range, otherwise nulls those that are (the item also holds
    /// events before <paramref name="afterSeq"/> or after <paramref name="throughSeq"/>).
    /// </summary>
    private async Task RedactItemAsync(string stream, long firstSeq, long lastSeq, long afterSeq, long throughSeq)
    {
        var update = new UpdateItemRequest
        {
            TableName = _journalTable,
            Key = new() { ["stream"] = new() { S = stream }, ["seq"] = Number(firstSeq) },
            ConditionExpression = "attribute_exists(#stream)",
            ExpressionAttributeNames = new() { ["#stream"] = "stream", ["#events"] = "events" },
        };
        if (firstSeq > afterSeq && lastSeq <= throughSeq)
        {
            update.UpdateExpression = "REMOVE #events";
        }
        else
        {
            var from = Math.Max(afterSeq + 1, firstSeq) - firstSeq;
            var through = Math.Min(lastSeq, throughSeq) - firstSeq;
            var erased = Enumerable.Range(checked((int)from), checked((int)(through - from + 1)));
            update.UpdateExpression = "SET " + string.Join(", ", erased.Select(index => string.Create(CultureInfo.InvariantCulture, $"#events[{index}] = :erased")));
            update.ExpressionAttributeValues = new() { [":erased"] = new() { NULL = true } };
        }

        await _client.UpdateItemAsync(update).ConfigureAwait(false);
    }

    /// <summary>The append with the highest first sequence number at or before <paramref name="seq"/>, if any.</summary>
    private async Task<Dictionary<string, AttributeValue>?> ReadAppendAtOrBeforeAsync(string stream, long seq, CancellationToken cancellationToken)
    {
        var page = await _client.QueryAsync(
            new QueryRequest
            {
                TableName = _journalTable,
                KeyConditionExpression = "#stream = :stream AND #seq <= :seq",
                ExpressionAttributeNames = new() { ["#stream"] = "stream", ["#seq"] = "seq" },
                ExpressionAttributeValues = new() { [":stream"] = new() { S = stream }, [":seq"] = Number(seq) },
                ScanIndexForward = false,
                ConsistentRead = true,
                Limit = 1,
            },
            cancellationToken).ConfigureAwait(false);
        return page.Items is { Count: > 0 } items ? items[0] : null;
    }

    private static void AddEvents(List<StoredEvent> events, Dictionary<string, AttributeValue> item, long afterSeq, long throughSeq, int maxCount)
    {
        if (item.GetValueOrDefault("events")?.L is not { } list)
        {
            return; // erased
        }

        var first = LongAttribute(item, "seq");
        for (var i = 0; i < list.Count && events.Count < maxCount && first + i <= throughSeq; i++)
        {
            if (first + i > afterSeq && list[i].S is { } json)
            {
                events.Add(new StoredEvent(first + i, Encoding.UTF8.GetBytes(json)));
            }
        }
    }

    private static string PartitionKey(string stream)
    {
        var bytes = Encoding.UTF8.GetByteCount(stream);
        return bytes <= MaxPartitionKeyBytes
            ? stream
            : throw new ArgumentException(
                $"The stream '{stream[..64]}...' is {bytes} UTF-8 bytes; DynamoDB partition keys are limited to {MaxPartitionKeyBytes}.", nameof(stream));
    }

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static AttributeValue Attribute(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value : throw new InvalidDataException($"A DynamoDB item has no '{name}' attribute.");

    private static string StringAttribute(Dictionary<string, AttributeValue> item, string name) =>
        Attribute(item, name).S ?? throw new InvalidDataException($"The '{name}' attribute of a DynamoDB item is not a string.");

    private static long LongAttribute(Dictionary<string, AttributeValue> item, string name) =>
        long.Parse(Attribute(item, name).N ?? throw new InvalidDataException($"The '{name}' attribute of a DynamoDB item is not a number."), CultureInfo.InvariantCulture);

    /// <summary>
    /// An upper bound of DynamoDB's size of an item made of strings, numbers (at most one byte per digit plus one) and
    /// lists of those (3 bytes plus 1 per element).
    /// </summary>
    private static long ItemBytes(Dictionary<string, AttributeValue> item) =>
        item.Sum(attribute => Encoding.UTF8.GetByteCount(attribute.Key) + ValueBytes(attribute.Value));

    private static long ValueBytes(AttributeValue value) =>
        value.S is { } text ? Encoding.UTF8.GetByteCount(text)
        : value.N is { } number ? number.Length + 1
        : value.L is { } list ? 3 + list.Sum(element => ValueBytes(element) + 1)
        : throw new ArgumentOutOfRangeException(nameof(value), "Only strings, numbers and lists are sized.");
}
