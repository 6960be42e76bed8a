using System.Globalization;
using System.IO.Compression;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Storage.DynamoDB;

// Snapshots: a readable head item, or a gzip head plus chunk items (see the class comment).
public sealed partial class DynamoDbJournalStorage
{
    public async Task<StoredSnapshot?> ReadSnapshotAsync(GrainId grainId, CancellationToken cancellationToken = default)
    {
        var grain = PartitionKey(grainId);
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var head = await ReadHeadAsync(grain, cancellationToken).ConfigureAwait(false);
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
                        grain, ChunkPrefix(version, StringAttribute(head, "write_id")), LongAttribute(head, "chunks"), cancellationToken).ConfigureAwait(false);
                    if (compressed is not null)
                    {
                        return new StoredSnapshot(version, await DecompressAsync(compressed, cancellationToken).ConfigureAwait(false));
                    }

                    if (attempt == SnapshotReadAttempts)
                    {
                        throw new InvalidDataException($"The snapshot of {grainId} at version {version} is missing chunk items.");
                    }

                    // A newer snapshot replaced this head and deleted its chunks after we read it.
                    LogSnapshotReplacedWhileReading(_logger, grainId, version);
                    break;
                case var encoding:
                    throw new InvalidDataException($"The snapshot of {grainId} has an unknown encoding '{encoding}'.");
            }
        }
    }

    public async Task WriteSnapshotAsync(GrainId grainId, StoredSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        var grain = PartitionKey(grainId);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentOutOfRangeException.ThrowIfNegative(snapshot.Version);
        ArgumentNullException.ThrowIfNull(snapshot.Json);
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);

        var writeId = Guid.NewGuid().ToString("N");
        var head = new Dictionary<string, AttributeValue>
        {
            ["grain"] = new() { S = grain },
            ["part"] = new() { S = Head },
            ["version"] = Number(snapshot.Version),
            ["written_at"] = new() { S = DateTimeOffset.UtcNow.ToString(TimestampFormat, CultureInfo.InvariantCulture) },
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
            await WriteChunksAsync(grainId, grain, snapshot.Version, writeId, compressed, cancellationToken).ConfigureAwait(false);
        }

        PutItemResponse written;
        try
        {
            written = await _client.PutItemAsync(
                new PutItemRequest
                {
                    TableName = _tables.Snapshots,
                    Item = head,
                    ConditionExpression = "attribute_not_exists(#grain) OR #version < :version",
                    ExpressionAttributeNames = new() { ["#grain"] = "grain", ["#version"] = "version" },
                    ExpressionAttributeValues = new() { [":version"] = Number(snapshot.Version) },
                    ReturnValues = ReturnValue.ALL_OLD,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            var stored = await ReadHeadAsync(grain, cancellationToken).ConfigureAwait(false);
            if (stored?.GetValueOrDefault("write_id")?.S == writeId)
            {
                // A lost response made the SDK retry a put that had succeeded; the replaced head is unknown now.
                LogOwnSnapshotFound(_logger, grainId, snapshot.Version);
                return;
            }

            LogSnapshotSuperseded(_logger, grainId, snapshot.Version);
            await DeleteChunksAsync(grainId, grain, snapshot.Version, writeId, chunks).ConfigureAwait(false);
            return;
        }

        LogSnapshotWritten(_logger, grainId, snapshot.Version, utf8.Length, chunks);
        if (written.Attributes is { Count: > 0 } replaced
            && replaced.GetValueOrDefault("encoding")?.S == "gzip"
            && replaced.GetValueOrDefault("write_id")?.S is { } replacedWriteId)
        {
            var replacedVersion = LongAttribute(replaced, "version");
            await DeleteChunksAsync(grainId, grain, replacedVersion, replacedWriteId, (int)LongAttribute(replaced, "chunks")).ConfigureAwait(false);
        }
    }

    private async Task<Dictionary<string, AttributeValue>?> ReadHeadAsync(string grain, CancellationToken cancellationToken)
    {
        var response = await _client.GetItemAsync(
            new GetItemRequest
            {
                TableName = _tables.Snapshots,
                Key = new() { ["grain"] = new() { S = grain }, ["part"] = new() { S = Head } },
                ConsistentRead = true,
            },
            cancellationToken).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    private async Task WriteChunksAsync(GrainId grainId, string grain, long version, string writeId, byte[] compressed, CancellationToken cancellationToken)
    {
        var puts = new List<Task>();
        for (var (offset, index) = (0, 0); offset < compressed.Length; offset += SnapshotPartBytes, index++)
        {
            var item = new Dictionary<string, AttributeValue>
            {
                ["grain"] = new() { S = grain },
                ["part"] = new() { S = ChunkKey(version, writeId, index) },
                ["data"] = new() { B = new MemoryStream(compressed, offset, Math.Min(SnapshotPartBytes, compressed.Length - offset), writable: false) },
            };
            puts.Add(_client.PutItemAsync(new PutItemRequest { TableName = _tables.Snapshots, Item = item }, cancellationToken));
        }

        try
        {
            await Task.WhenAll(puts).ConfigureAwait(false);
        }
        catch
        {
            await DeleteChunksAsync(grainId, grain, version, writeId, puts.Count).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The chunks under <paramref name="prefix"/> joined in order, or null when not all <paramref name="expected"/> are there.</summary>
    private async Task<byte[]?> ReadChunksAsync(string grain, string prefix, long expected, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = _tables.Snapshots,
            KeyConditionExpression = "#grain = :grain AND begins_with(#part, :prefix)",
            ExpressionAttributeNames = new() { ["#grain"] = "grain", ["#part"] = "part" },
            ExpressionAttributeValues = new() { [":grain"] = new() { S = grain }, [":prefix"] = new() { S = prefix } },
            ConsistentRead = true,
        };
        using var joined = new MemoryStream();
        var found = 0;
        do
        {
            var page = await _client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                var data = Attribute(item, "data").B ?? throw new InvalidDataException($"Snapshot chunk {prefix} has no binary data.");
                data.WriteTo(joined);
                found++;
            }

            request.ExclusiveStartKey = page.LastEvaluatedKey;
        }
        while (request.ExclusiveStartKey is { Count: > 0 });

        return found == expected ? joined.ToArray() : null;
    }

    /// <summary>Best effort: a chunk item left behind is never read (no head names its write id), it only takes space.</summary>
    private async Task DeleteChunksAsync(GrainId grainId, string grain, long version, string writeId, int count)
    {
        if (count == 0)
        {
            return;
        }

        try
        {
            // Not cancellable: stopping halfway would only leave more garbage behind.
            await Task.WhenAll(Enumerable.Range(0, count).Select(index => _client.DeleteItemAsync(
                new DeleteItemRequest
                {
                    TableName = _tables.Snapshots,
                    Key = new() { ["grain"] = new() { S = grain }, ["part"] = new() { S = ChunkKey(version, writeId, index) } },
                },
                CancellationToken.None))).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The snapshot itself is settled; leftover chunks are harmless.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogChunkDeletionFailed(_logger, exception, count, grainId, version);
        }
    }

    private static string ChunkPrefix(long version, string writeId) =>
        string.Create(CultureInfo.InvariantCulture, $"v{version:D19}#{writeId}#");

    private static string ChunkKey(long version, string writeId, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{ChunkPrefix(version, writeId)}{index:D5}");

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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Wrote the snapshot of {GrainId} at version {Version}: {JsonBytes} bytes of JSON in {Chunks} chunk items")]
    private static partial void LogSnapshotWritten(ILogger logger, GrainId grainId, long version, int jsonBytes, int chunks);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The snapshot of {GrainId} at version {Version} was not written: a newer one is stored")]
    private static partial void LogSnapshotSuperseded(ILogger logger, GrainId grainId, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The snapshot of {GrainId} at version {Version} was already stored by an earlier attempt of the same request; the chunks of the snapshot it replaced may be left behind")]
    private static partial void LogOwnSnapshotFound(ILogger logger, GrainId grainId, long version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The snapshot of {GrainId} at version {Version} was replaced while being read; reading again")]
    private static partial void LogSnapshotReplacedWhileReading(ILogger logger, GrainId grainId, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete {Count} unreferenced chunk items of the snapshot of {GrainId} at version {Version}; they are never read")]
    private static partial void LogChunkDeletionFailed(ILogger logger, Exception exception, int count, GrainId grainId, long version);
}
