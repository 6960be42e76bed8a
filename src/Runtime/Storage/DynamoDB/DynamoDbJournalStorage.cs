using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Microsoft.Extensions.Logging;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Storage.DynamoDB;

/// <summary>
/// <see cref="IJournalStorage"/> on DynamoDB: conditional writes, no transactions (dynalite has none).
/// <para>
/// <c>{prefix}journal</c>: partition key <c>grain</c> (S, <c>type/key</c>), sort key <c>seq</c> (N). One item per
/// append (one command's events): <c>seq</c> is the append's first sequence number, <c>last_seq</c> (N) its last,
/// <c>written_at</c> (S, ISO 8601 UTC, ms), <c>events</c> (L of S, each event's JSON as a readable string) and
/// <c>append_id</c> (S, unique per append). Erasure (<see cref="RedactAsync"/>) empties <c>events</c> and keeps the item. The item is put with <c>attribute_not_exists(grain)</c>, so the append
/// is atomic without a transaction. That is a correct fence because an activation's version always ends on an
/// append boundary (it is the last sequence number of what it replayed or appended), so two writers at one version
/// both write the key <c>version + 1</c> and exactly one wins (the port requires boundary versions; see
/// <see cref="IJournalStorage.AppendAsync"/>), so an append costs one write and no read.
/// When a lost response makes the SDK retry a put that had succeeded, the retry fails its condition: the stored
/// <c>append_id</c> tells our own append from another writer's, so it is not reported as a conflict.
/// </para>
/// <para>
/// <c>{prefix}snapshots</c>: partition key <c>grain</c> (S), sort key <c>part</c> (S). The item <c>part = "head"</c>
/// holds <c>version</c> (N), <c>written_at</c>, <c>write_id</c> and <c>encoding</c>: <c>json</c> with the readable
/// JSON in <c>json</c> (S) when it is at most 350 KB of UTF-8, otherwise <c>gzip</c> with <c>chunks</c> (N): the
/// gzip-compressed JSON is split into items <c>part = "v{version:D19}#{write_id}#{index:D5}"</c> of at most 350 KB
/// in <c>data</c> (B). Chunks are written first, then the head with <c>attribute_not_exists(grain) OR version &lt; :v</c>
/// so a snapshot never goes backwards; a writer that loses deletes its own chunks, a writer that wins deletes the
/// chunks of the head it replaced (best effort). The <c>write_id</c> in chunk keys keeps two writers of one version
/// from overwriting each other's chunks. A reader that finds chunks missing (replaced meanwhile) reads the head again.
/// </para>
/// </summary>
public sealed partial class DynamoDbJournalStorage : IJournalStorage, IDisposable
{
    /// <summary>DynamoDB's limit on a partition key value.</summary>
    public const int MaxPartitionKeyBytes = 2048;

    /// <summary>DynamoDB's limit on an item, attribute names included.</summary>
    public const int MaxItemBytes = 400 * 1024;

    // Below the item limit with room for the key and the other attributes.
    private const int SnapshotPartBytes = 350 * 1024;
    private const int SnapshotReadAttempts = 3;
    private const string Head = "head";
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private readonly IAmazonDynamoDB _client;
    private readonly bool _ownsClient;
    private readonly DynamoDbTables _tables;
    private readonly ILogger<DynamoDbJournalStorage> _logger;

    /// <summary>Creates its own client for <see cref="DynamoDbJournalOptions.Region"/> or <see cref="DynamoDbJournalOptions.ServiceUrl"/>.</summary>
    public DynamoDbJournalStorage(DynamoDbJournalOptions options, ILogger<DynamoDbJournalStorage> logger)
        : this(CreateClient(Validate(options)), ownsClient: true, options, logger)
    {
    }

    /// <summary>Uses <paramref name="client"/> as is; the caller keeps ownership of it.</summary>
    public DynamoDbJournalStorage(IAmazonDynamoDB client, DynamoDbJournalOptions options, ILogger<DynamoDbJournalStorage> logger)
        : this(client, ownsClient: false, Validate(options), logger)
    {
    }

    private DynamoDbJournalStorage(IAmazonDynamoDB client, bool ownsClient, DynamoDbJournalOptions options, ILogger<DynamoDbJournalStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _ownsClient = ownsClient;
        _logger = logger;
        _tables = new DynamoDbTables(client, options, logger);
    }

    public string Provider => "dynamodb";

    /// <summary>Name of the journal table (<c>{prefix}journal</c>).</summary>
    public string JournalTable => _tables.Journal;

    /// <summary>Name of the snapshot table (<c>{prefix}snapshots</c>).</summary>
    public string SnapshotTable => _tables.Snapshots;

    /// <summary>
    /// Checks that both tables exist, creating missing ones when <see cref="DynamoDbJournalOptions.CreateTables"/> is on,
    /// and waits until they are ACTIVE. Every operation does this once on first use; a host calls it at start to fail fast.
    /// </summary>
    public Task EnsureTablesAsync(CancellationToken cancellationToken = default) => _tables.EnsureAsync(cancellationToken);

    public async Task AppendAsync(GrainId grainId, long expectedVersion, IReadOnlyList<string> events, CancellationToken cancellationToken = default)
    {
        var grain = PartitionKey(grainId);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        var appendId = Guid.NewGuid().ToString("N");
        var item = new Dictionary<string, AttributeValue>
        {
            ["grain"] = new() { S = grain },
            ["seq"] = Number(expectedVersion + 1),
            ["last_seq"] = Number(expectedVersion + events.Count),
            ["written_at"] = new() { S = DateTimeOffset.UtcNow.ToString(TimestampFormat, CultureInfo.InvariantCulture) },
            ["append_id"] = new() { S = appendId },
            ["events"] = new() { L = events.Select(json => new AttributeValue { S = json ?? throw new ArgumentException("An event is null.", nameof(events)) }).ToList() },
        };
        var size = ItemBytes(item);
        if (size > MaxItemBytes)
        {
            throw new ArgumentException(
                $"The append of {events.Count} event(s) to {grainId} would be a {size}-byte DynamoDB item; the limit is {MaxItemBytes} bytes (400 KB).",
                nameof(events));
        }

        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = _tables.Journal,
                    Item = item,
                    ConditionExpression = "attribute_not_exists(#grain)",
                    ExpressionAttributeNames = new() { ["#grain"] = "grain" },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            var stored = await _client.GetItemAsync(
                new GetItemRequest
                {
                    TableName = _tables.Journal,
                    Key = new() { ["grain"] = new() { S = grain }, ["seq"] = Number(expectedVersion + 1) },
                    ConsistentRead = true,
                },
                cancellationToken).ConfigureAwait(false);
            if (stored.Item?.GetValueOrDefault("append_id")?.S == appendId)
            {
                LogOwnAppendFound(_logger, grainId, expectedVersion);
                return;
            }

            LogAppendConflict(_logger, grainId, expectedVersion);
            throw new JournalConflictException(grainId, expectedVersion);
        }
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(GrainId grainId, long afterSeq, int maxCount, CancellationToken cancellationToken = default)
    {
        var grain = PartitionKey(grainId);
        ArgumentOutOfRangeException.ThrowIfNegative(afterSeq);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);

        // Every append holds at least one event, so maxCount items always suffice.
        var request = new QueryRequest
        {
            TableName = _tables.Journal,
            KeyConditionExpression = "#grain = :grain AND #seq > :after",
            ExpressionAttributeNames = new() { ["#grain"] = "grain", ["#seq"] = "seq" },
            ExpressionAttributeValues = new() { [":grain"] = new() { S = grain }, [":after"] = Number(afterSeq) },
            ConsistentRead = true,
            Limit = maxCount,
        };
        var page = await _client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
        var events = new List<StoredEvent>();

        // afterSeq inside an append: that append's item sorts before afterSeq + 1, so the query above missed it.
        if (afterSeq > 0
            && (page.Items is not { Count: > 0 } || LongAttribute(page.Items[0], "seq") != afterSeq + 1)
            && await ReadAppendAtOrBeforeAsync(grain, afterSeq, cancellationToken).ConfigureAwait(false) is { } straddling)
        {
            AddEvents(events, straddling, afterSeq, maxCount);
        }

        while (true)
        {
            foreach (var item in page.Items ?? [])
            {
                AddEvents(events, item, afterSeq, maxCount);
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

    /// <summary>Empties the <c>events</c> of every append item up to <paramref name="throughSeq"/>; the items stay as the fence.</summary>
    public async Task RedactAsync(GrainId grainId, long throughSeq, CancellationToken cancellationToken = default)
    {
        var grain = PartitionKey(grainId);
        ArgumentOutOfRangeException.ThrowIfNegative(throughSeq);
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var request = new QueryRequest
        {
            TableName = _tables.Journal,
            KeyConditionExpression = "#grain = :grain AND #seq <= :through",
            ExpressionAttributeNames = new() { ["#grain"] = "grain", ["#seq"] = "seq" },
            ExpressionAttributeValues = new() { [":grain"] = new() { S = grain }, [":through"] = Number(throughSeq) },
            ProjectionExpression = "#seq",
            ConsistentRead = true,
        };
        do
        {
            var page = await _client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                await _client.UpdateItemAsync(
                    new UpdateItemRequest
                    {
                        TableName = _tables.Journal,
                        Key = new() { ["grain"] = new() { S = grain }, ["seq"] = item["seq"] },
                        UpdateExpression = "SET #events = :none",
                        ExpressionAttributeNames = new() { ["#events"] = "events" },
                        ExpressionAttributeValues = new() { [":none"] = new() { L = [], IsLSet = true } },
                    },
                    cancellationToken).ConfigureAwait(false);
            }

            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (request.ExclusiveStartKey is not null);

        LogRedacted(_logger, grainId, throughSeq);
    }

    /// <summary>Ensures the tables once (so a missing table is reported with its fix), then describes the journal table.</summary>
    public async Task CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _client.DescribeTableAsync(new DescribeTableRequest { TableName = _tables.Journal }, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private static DynamoDbJournalOptions Validate(DynamoDbJournalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        return options;
    }

    private static AmazonDynamoDBClient CreateClient(DynamoDbJournalOptions options)
    {
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            return new AmazonDynamoDBClient(new AmazonDynamoDBConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region) });
        }

        var config = new AmazonDynamoDBConfig { ServiceURL = options.ServiceUrl, AuthenticationRegion = options.Region };
        return new AmazonDynamoDBClient(CredentialsFor(config), config);
    }

    /// <summary>
    /// The SDK's default credential chain; when it finds nothing, placeholder keys, which a local endpoint
    /// (dynalite, DynamoDB Local) accepts, so a developer machine without AWS credentials still works.
    /// </summary>
    private static AWSCredentials CredentialsFor(AmazonDynamoDBConfig config)
    {
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
        }
        catch (AmazonClientException)
        {
            return new BasicAWSCredentials("local", "local");
        }
    }

    private static string PartitionKey(GrainId grainId)
    {
        var key = grainId.ToString();
        var bytes = Encoding.UTF8.GetByteCount(key);
        if (bytes > MaxPartitionKeyBytes)
        {
            throw new ArgumentException(
                $"The grain id '{key[..64]}...' is {bytes} UTF-8 bytes; DynamoDB partition keys are limited to {MaxPartitionKeyBytes}.",
                nameof(grainId));
        }

        return key;
    }

    /// <summary>The append with the highest first sequence number at or before <paramref name="seq"/>, if any.</summary>
    private async Task<Dictionary<string, AttributeValue>?> ReadAppendAtOrBeforeAsync(string grain, long seq, CancellationToken cancellationToken)
    {
        var page = await _client.QueryAsync(
            new QueryRequest
            {
                TableName = _tables.Journal,
                KeyConditionExpression = "#grain = :grain AND #seq <= :seq",
                ExpressionAttributeNames = new() { ["#grain"] = "grain", ["#seq"] = "seq" },
                ExpressionAttributeValues = new() { [":grain"] = new() { S = grain }, [":seq"] = Number(seq) },
                ScanIndexForward = false,
                ConsistentRead = true,
                Limit = 1,
            },
            cancellationToken).ConfigureAwait(false);
        return page.Items is { Count: > 0 } items ? items[0] : null;
    }

    private static void AddEvents(List<StoredEvent> events, Dictionary<string, AttributeValue> item, long afterSeq, int maxCount)
    {
        var first = LongAttribute(item, "seq");
        var writtenAt = DateTimeOffset.ParseExact(
            StringAttribute(item, "written_at"), TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var json = Attribute(item, "events").L ?? throw new InvalidDataException($"Journal item {first} has no event list.");
        for (var i = 0; i < json.Count && events.Count < maxCount; i++)
        {
            if (first + i > afterSeq)
            {
                events.Add(new StoredEvent(first + i, writtenAt, json[i].S ?? throw new InvalidDataException($"Event {first + i} is not a string.")));
            }
        }
    }

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static AttributeValue Attribute(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value : throw new InvalidDataException($"A DynamoDB item has no '{name}' attribute.");

    private static string StringAttribute(Dictionary<string, AttributeValue> item, string name) =>
        Attribute(item, name).S ?? throw new InvalidDataException($"The '{name}' attribute of a DynamoDB item is not a string.");

    private static long LongAttribute(Dictionary<string, AttributeValue> item, string name) =>
        long.Parse(Attribute(item, name).N ?? throw new InvalidDataException($"The '{name}' attribute of a DynamoDB item is not a number."), CultureInfo.InvariantCulture);

    /// <summary>
    /// An upper bound of DynamoDB's size of an item made of strings, numbers (one byte per two digits plus one,
    /// bounded by digits plus one) and lists of those (3 bytes plus 1 per element).
    /// </summary>
    private static long ItemBytes(Dictionary<string, AttributeValue> item) =>
        item.Sum(attribute => Encoding.UTF8.GetByteCount(attribute.Key) + ValueBytes(attribute.Value));

    private static long ValueBytes(AttributeValue value) =>
        value.S is { } text ? Encoding.UTF8.GetByteCount(text)
        : value.N is { } number ? number.Length + 1
        : value.L is { } list ? 3 + list.Sum(element => ValueBytes(element) + 1)
        : throw new ArgumentOutOfRangeException(nameof(value), "Only strings, numbers and lists are sized.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Append to {GrainId} at version {ExpectedVersion} conflicted: another writer appended first")]
    private static partial void LogAppendConflict(ILogger logger, GrainId grainId, long expectedVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redacted the events of {GrainId} through {ThroughSeq}")]
    private static partial void LogRedacted(ILogger logger, GrainId grainId, long throughSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Append to {GrainId} at version {ExpectedVersion} was already stored by an earlier attempt of the same request")]
    private static partial void LogOwnAppendFound(ILogger logger, GrainId grainId, long expectedVersion);
}
