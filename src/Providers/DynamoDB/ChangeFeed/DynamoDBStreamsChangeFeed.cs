using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using UserData.Providers.ChangeFeed;
using UserData.Providers.Journal;

namespace UserData.Providers.DynamoDB.ChangeFeed;

/// <summary>
/// The DynamoDB event journal as a change feed: the journal table's DynamoDB Streams (the journal store creates the table
/// with Streams on, new and old images). A position is a stream record's sequence number. Each inserted journal item (one
/// append) is a record; the changes erasure makes to items carry no new event and are passed over, their positions still
/// consumed.
/// </summary>
/// <remarks>
/// A shard iterator is kept between reads of a shard that go on where the last one ended, so a steady reader makes one
/// GetRecords call per poll (Streams allows five per second per shard). A record older than the stream's 24 hours of
/// retention is gone: a consumer stopped for longer resumes at the oldest record kept (the error says so).
/// </remarks>
public sealed class DynamoDBStreamsChangeFeed : IChangeFeed, IDisposable
{
    private readonly IAmazonDynamoDB _dynamoDB;
    private readonly DynamoDBStreamsClient _streams;
    private readonly string _tableName;
    private readonly ConcurrentDictionary<string, (string After, string Iterator)> _iterators = new(StringComparer.Ordinal);
    private string? _streamArn;

    public DynamoDBStreamsChangeFeed(IAmazonDynamoDB dynamoDB, string? serviceUrl, string region, AWSCredentials credentials, string journalTableName)
    {
        ArgumentNullException.ThrowIfNull(dynamoDB);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrWhiteSpace(journalTableName);
        _dynamoDB = dynamoDB;
        _streams = new DynamoDBStreamsClient(serviceUrl, region, credentials);
        _tableName = journalTableName;
    }

    public string Name => "dynamodb-streams";

    public async Task<IReadOnlyList<FeedShard>> ListShardsAsync(CancellationToken cancellationToken)
    {
        var arn = await StreamArnAsync(cancellationToken).ConfigureAwait(false);
        var shards = new List<FeedShard>();
        string? start = null;
        do
        {
            var description = (await _streams.DescribeStreamAsync(arn, start, cancellationToken).ConfigureAwait(false))["StreamDescription"];
            foreach (var shard in description?["Shards"]?.AsArray() ?? [])
            {
                shards.Add(new FeedShard(shard!["ShardId"]!.GetValue<string>(), shard["ParentShardId"]?.GetValue<string>()));
            }

            start = description?["LastEvaluatedShardId"]?.GetValue<string>();
        }
        while (start is not null);
        return shards;
    }

    public async Task<FeedPage> ReadAsync(FeedShard shard, string? after, string? through, int maxRecords, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        var arn = await StreamArnAsync(cancellationToken).ConfigureAwait(false);
        var iterator = _iterators.TryGetValue(shard.Id, out var kept) && kept.After == (after ?? string.Empty) ? kept.Iterator : null;
        JsonObject page;
        try
        {
            iterator ??= await _streams.GetShardIteratorAsync(arn, shard.Id, after, cancellationToken).ConfigureAwait(false);
            if (iterator is null)
            {
                return new FeedPage([], ShardEnded: true);
            }

            page = await _streams.GetRecordsAsync(iterator, maxRecords, cancellationToken).ConfigureAwait(false);
        }
        catch (DynamoDBStreamsException exception) when (exception.ErrorType is "ExpiredIteratorException" or "TrimmedDataAccessException")
        {
            // A kept iterator expired, or points before the shard's oldest record (DynamoDB Local answers so for an iterator
            // taken while the shard was empty): a fresh one from the checkpoint.
            _iterators.TryRemove(shard.Id, out _);
            iterator = await _streams.GetShardIteratorAsync(arn, shard.Id, after, cancellationToken).ConfigureAwait(false);
            if (iterator is null)
            {
                return new FeedPage([], ShardEnded: true);
            }

            page = await _streams.GetRecordsAsync(iterator, maxRecords, cancellationToken).ConfigureAwait(false);
        }

        var limit = through is null ? (BigInteger?)null : BigInteger.Parse(through, CultureInfo.InvariantCulture);
        var records = new List<FeedRecord>();
        string? last = null;
        var passedThrough = false;
        foreach (var record in page["Records"]?.AsArray() ?? [])
        {
            var change = record!["dynamodb"]!;
            var sequenceNumber = change["SequenceNumber"]!.GetValue<string>();
            if (limit is { } end && BigInteger.Parse(sequenceNumber, CultureInfo.InvariantCulture) > end)
            {
                passedThrough = true;
                break;
            }

            last = sequenceNumber;
            if (record["eventName"]?.GetValue<string>() == "INSERT" && change["NewImage"] is JsonObject item)
            {
                records.Add(ToRecord(sequenceNumber, item));
            }
        }

        var next = page["NextShardIterator"]?.GetValue<string>();
        if (passedThrough || next is null)
        {
            _iterators.TryRemove(shard.Id, out _);
        }
        else
        {
            _iterators[shard.Id] = (last ?? after ?? string.Empty, next);
        }

        return new FeedPage(records, ShardEnded: next is null && !passedThrough) { LastPosition = last };
    }

    public void Dispose() => _streams.Dispose();

    private static FeedRecord ToRecord(string sequenceNumber, JsonObject item)
    {
        var events = item["events"]?["L"]?.AsArray().Select(element => element?["S"]?.GetValue<string>()).ToList() ?? [];
        var firstSeq = long.Parse(item["seq"]!["N"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        if (events.Count == 0 && item["last_seq"]?["N"]?.GetValue<string>() is { } lastSeq)
        {
            // An item inserted without its events (never by the journal): its sequence numbers are held, their content is gone.
            events = [.. Enumerable.Repeat<string?>(null, checked((int)(long.Parse(lastSeq, CultureInfo.InvariantCulture) - firstSeq + 1)))];
        }

        return new FeedRecord(
            sequenceNumber,
            item["stream"]!["S"]!.GetValue<string>(),
            firstSeq,
            JournalTimestamp.Parse(item["written_at"]!["S"]!.GetValue<string>()),
            events);
    }

    private async Task<string> StreamArnAsync(CancellationToken cancellationToken)
    {
        if (_streamArn is not null)
        {
            return _streamArn;
        }

        var table = await _dynamoDB.DescribeTableAsync(new DescribeTableRequest { TableName = _tableName }, cancellationToken).ConfigureAwait(false);
        if (table.Table?.StreamSpecification is not { StreamEnabled: true } specification || table.Table.LatestStreamArn is null)
        {
            throw new InvalidOperationException(
                $"The DynamoDB table '{_tableName}' has no stream: enable DynamoDB Streams on it with NEW_AND_OLD_IMAGES (the stack and the journal's own table creation do).");
        }

        if (specification.StreamViewType != StreamViewType.NEW_AND_OLD_IMAGES && specification.StreamViewType != StreamViewType.NEW_IMAGE)
        {
            throw new InvalidOperationException(
                $"The stream of the DynamoDB table '{_tableName}' is {specification.StreamViewType}: the change feed needs new images (NEW_AND_OLD_IMAGES).");
        }

        return _streamArn = table.Table.LatestStreamArn;
    }
}
