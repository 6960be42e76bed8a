using System.Globalization;
using System.IO.Compression;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using UserData.Providers.Journal;

namespace UserData.Providers.DynamoDB.Journal;

/// <remarks>
/// Snapshot table (<see cref="DynamoDBEventJournalOptions.SnapshotTableName"/>): partition key <c>stream</c> (S), sort key
/// <c>part</c> (S). The item <c>part = "head"</c> holds <c>version</c> (N), <c>written_at</c>, <c>write_id</c> and
/// <c>encoding</c>: <c>json</c> with the readable JSON in <c>json</c> (S) when it is at most 350 KB of UTF-8, so that it
/// fits one item; otherwise <c>gzip</c> with <c>chunks</c> (N): the gzip-compressed JSON is split into items
/// <c>part = "v{version:D19}#{write_id}#{index:D5}"</c> of at most 350 KB in <c>data</c> (B), so a state's size is not
/// capped by the item limit. Chunks are written first, then the head with <c>attribute_not_exists OR version &lt; :v</c>,
/// so a snapshot never goes backwards; a writer that loses deletes its own chunks, a writer that wins deletes the chunks of
/// the head it replaced (best effort: an unreferenced chunk is never read). The <c>write_id</c> in chunk keys keeps two
/// writers of one version apart. A reader that finds chunks missing (replaced meanwhile) reads the head again.
/// </remarks>
internal sealed partial class DynamoDBEventJournalStore
{
    // Below the item limit with room for the key and the other attributes.
    private const int SnapshotPartBytes = 350 * 1024;
    private const int SnapshotReadAttempts = 3;
    private const string Head = "head";

    public async Task<StoredSnapshot?> ReadSnapshotAsync(string stream, CancellationToken cancellationToken)
    {
        var key = PartitionKey(stream);
        for (var attempt = 1; ; attempt++)
        {
            var head = await ReadHeadAsync(key, cancellationToken).ConfigureAwait(false);
            if (head is null)
            {
                return null;
            }

            var version = LongAttribute(head, "version");
            switch (StringAttribute(head, "encoding"))
            {
                case "json":
                    return new StoredSnapshot(version, StringAttribute(head, "json"));
                case "gzip":
                    var compressed = await ReadChunksAsync(
                        key, ChunkPrefix(version, StringAttribute(head, "write_id")), LongAttribute(head, "chunks"), cancellationToken).ConfigureAwait(false);
                    if (compressed is not null)
                    {
                        return new StoredSnapshot(version, await DecompressAsync(compressed, cancellationToken).ConfigureAwait(false));
                    }

                    if (attempt == SnapshotReadAttempts)
                    {
                        throw new InvalidDataException($"The snapshot of {stream} at version {version} is missing chunk items.");
                    }

                    LogSnapshotReplacedWhileReading(_logger, stream, version);
                    break;
                case var encoding:
                    throw new InvalidDataException($"The snapshot of {stream} has an unknown encoding '{encoding}'.");
            }
        }
    }

    public async Task WriteSnapshotAsync(string stream, StoredSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var key = PartitionKey(stream);
        var writeId = Guid.NewGuid().ToString("N");
        var head = new Dictionary<string, AttributeValue>
        {
            ["stream"] = new() { S = key },
            ["part"] = new() { S = Head },
            ["version"] = Number(snapshot.Version),
            ["written_at"] = new() { S = JournalTimestamp.ToText(DateTimeOffset.UtcNow) },
            ["write_id"] = new() { S = writeId },
        };
        var utf8 = Encoding.UTF8.GetBytes(snapshot.Json);
        var chunks = 0;
        if (utf8.Length <= SnapshotPartBytes)
        {
            head["encoding"] = new() { S = "json" };
            head["json"] = new() { S = snapshot.Json };
        }
        else
        {
            var compressed = Compress(utf8);
            chunks = (compressed.Length + SnapshotPartBytes - 1) / SnapshotPartBytes;
            head["encoding"] = new() { S = "gzip" };
            head["chunks"] = Number(chunks);
            await WriteChunksAsync(key, snapshot.Version, writeId, compressed).ConfigureAwait(false);
        }

        PutItemResponse written;
        try
        {
            written = await _client.PutItemAsync(new PutItemRequest
            {
                TableName = _snapshotTable,
                Item = head,
                ConditionExpression = "attribute_not_exists(#stream) OR #version < :version",
                ExpressionAttributeNames = new() { ["#stream"] = "stream", ["#version"] = "version" },
                ExpressionAttributeValues = new() { [":version"] = Number(snapshot.Version) },
                ReturnValues = ReturnValue.ALL_OLD,
                ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
            }).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException kept)
        {
            if (kept.Item?.GetValueOrDefault("write_id")?.S == writeId)
            {
                // The SDK retried a put whose answer was lost; what that put replaced is unknown now.
                LogOwnSnapshotFound(_logger, stream, snapshot.Version);
                return;
            }

            LogSnapshotSuperseded(_logger, stream, snapshot.Version);
            await DeleteChunksAsync(key, snapshot.Version, writeId, chunks).ConfigureAwait(false);
            return;
        }

        LogSnapshotWritten(_logger, stream, snapshot.Version, utf8.Length, chunks);
        if (written.Attributes is { Count: > 0 } replaced
            && replaced.GetValueOrDefault("encoding")?.S == "gzip"
            && replaced.GetValueOrDefault("write_id")?.S is { } replacedWriteId)
        {
            await DeleteChunksAsync(key, LongAttribute(replaced, "version"), replacedWriteId, (int)LongAttribute(replaced, "chunks")).ConfigureAwait(false);
        }
    }

    private async Task<Dictionary<string, AttributeValue>?> ReadHeadAsync(string stream, CancellationToken cancellationToken)
    {
        var response = await _client.GetItemAsync(
            new GetItemRequest
            {
                TableName = _snapshotTable,
                Key = new() { ["stream"] = new() { S = stream }, ["part"] = new() { S = Head } },
                ConsistentRead = true,
            },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    private async Task WriteChunksAsync(string stream, long version, string writeId, byte[] compressed)
    {
        var puts = new List<Task>();
        for (var (offset, index) = (0, 0); offset < compressed.Length; offset += SnapshotPartBytes, index++)
        {
            var item = new Dictionary<string, AttributeValue>
            {
                ["stream"] = new() { S = stream },
                ["part"] = new() { S = ChunkKey(version, writeId, index) },
                ["data"] = new() { B = new MemoryStream(compressed, offset, Math.Min(SnapshotPartBytes, compressed.Length - offset), writable: false) },
            };
            puts.Add(_client.PutItemAsync(new PutItemRequest { TableName = _snapshotTable, Item = item }));
        }

        try
        {
            await Task.WhenAll(puts).ConfigureAwait(false);
        }
        catch
        {
            await DeleteChunksAsync(stream, version, writeId, puts.Count).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The chunks under <paramref name="prefix"/> joined in order, or null when not all <paramref name="expected"/> are there.</summary>
    private async Task<byte[]?> ReadChunksAsync(string stream, string prefix, long expected, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = _snapshotTable,
            KeyConditionExpression = "#stream = :stream AND begins_with(#part, :prefix)",
            ExpressionAttributeNames = new() { ["#stream"] = "stream", ["#part"] = "part" },
            ExpressionAttributeValues = new() { [":stream"] = new() { S = stream }, [":prefix"] = new() { S = prefix } },
            ConsistentRead = true,
        };
        using var joined = new MemoryStream();
        var found = 0;
        do
        {
            var page = await _client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                var data = Attribute(item, "data").B ?? throw new InvalidDataException($"Snapshot chunk {prefix} of {stream} has no binary data.");
                data.WriteTo(joined);
                found++;
            }

            request.ExclusiveStartKey = page.LastEvaluatedKey;
        }
        while (request.ExclusiveStartKey is { Count: > 0 });

        return found == expected ? joined.ToArray() : null;
    }

    /// <summary>Best effort: a chunk item left behind is never read (no head names its write id), it only takes space.</summary>
    private async Task DeleteChunksAsync(string stream, long version, string writeId, int count)
    {
        if (count == 0)
        {
            return;
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(index => _client.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = _snapshotTable,
                Key = new() { ["stream"] = new() { S = stream }, ["part"] = new() { S = ChunkKey(version, writeId, index) } },
            }))).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The snapshot itself is settled; leftover chunks are harmless.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogChunkDeletionFailed(_logger, exception, count, stream, version);
        }
    }

    private static string ChunkPrefix(long version, string writeId) => string.Create(CultureInfo.InvariantCulture, $"v{version:D19}#{writeId}#");

    private static string ChunkKey(long version, string writeId, int index) => string.Create(CultureInfo.InvariantCulture, $"{ChunkPrefix(version, writeId)}{index:D5}");

    private static byte[] Compress(byte[] utf8)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(utf8);
        }

        return output.ToArray();
    }

    private static async Task<string> DecompressAsync(byte[] compressed, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress), Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Wrote the snapshot of {Stream} at version {Version}: {JsonBytes} bytes of JSON in {Chunks} chunk items")]
    private static partial void LogSnapshotWritten(ILogger logger, string stream, long version, int jsonBytes, int chunks);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The snapshot of {Stream} at version {Version} was not written: one as new is stored")]
    private static partial void LogSnapshotSuperseded(ILogger logger, string stream, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The snapshot of {Stream} at version {Version} had been stored by an earlier attempt of the same request; the chunks of the snapshot it replaced may be left behind")]
    private static partial void LogOwnSnapshotFound(ILogger logger, string stream, long version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The snapshot of {Stream} at version {Version} was replaced while being read; reading again")]
    private static partial void LogSnapshotReplacedWhileReading(ILogger logger, string stream, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete {Count} unreferenced chunk items of the snapshot of {Stream} at version {Version}; they are never read")]
    private static partial void LogChunkDeletionFailed(ILogger logger, Exception exception, int count, string stream, long version);
}
