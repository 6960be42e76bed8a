using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using UserData.TestSupport;

namespace UserData.Benchmarks.Lake;

/// <summary>
/// A journal of task events as the journal stores them (one row or item per append of one event), written straight into
/// its table: <see cref="Users"/> users, their events interleaved in time as busy users' are.
/// </summary>
internal static class BenchmarkJournal
{
    public const int Users = 1_000;

    /// <summary>The journal's SQLite table as the SQLite journal makes it, filled with <paramref name="events"/> events.</summary>
    public static void WriteSqlite(string database, int events) => SqliteJournalSeed.Write(database, Events(events));

    /// <summary>The DynamoDB journal's table (Streams on, new and old images, as the journal creates it) filled with <paramref name="events"/> events.</summary>
    public static async Task WriteDynamoDBAsync(IAmazonDynamoDB client, string table, int events)
    {
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            AttributeDefinitions = [new AttributeDefinition("stream", ScalarAttributeType.S), new AttributeDefinition("seq", ScalarAttributeType.N)],
            KeySchema = [new KeySchemaElement("stream", KeyType.HASH), new KeySchemaElement("seq", KeyType.RANGE)],
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType.NEW_AND_OLD_IMAGES },
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        // BatchWriteItem takes 25 items; 8 calls at a time fill the table in well under BenchmarkDotNet's in-process time limit.
        await Parallel.ForEachAsync(Events(events).Chunk(25), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (chunk, cancellationToken) =>
        {
            var writes = chunk.Select(entry => new WriteRequest(new PutRequest(new Dictionary<string, AttributeValue>
            {
                ["stream"] = new() { S = entry.Stream },
                ["seq"] = new() { N = entry.Seq.ToString(CultureInfo.InvariantCulture) },
                ["last_seq"] = new() { N = entry.Seq.ToString(CultureInfo.InvariantCulture) },
                ["written_at"] = new() { S = entry.At },
                ["append_id"] = new() { S = Guid.NewGuid().ToString("N") },
                ["events"] = new() { L = [new AttributeValue { S = entry.Json }] },
            }))).ToList();
            var request = new Dictionary<string, List<WriteRequest>> { [table] = writes };
            while (request.Count > 0)
            {
                var response = await client.BatchWriteItemAsync(request, cancellationToken);
                request = response.UnprocessedItems ?? [];
            }
        });
    }

    /// <summary>Task events of <see cref="Users"/> users in time order, 10 ms apart, from midnight of today's date (UTC).</summary>
    private static IEnumerable<(string Stream, long Seq, string At, string Json)> Events(int events)
    {
        var start = DateTimeOffset.UtcNow.Date;
        for (var i = 0; i < events; i++)
        {
            var user = i % Users;
            var n = (i / Users) + 1;
            var time = new DateTimeOffset(start, TimeSpan.Zero).AddMilliseconds(i * 10L).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            var json = SqliteJournalSeed.TaskCreated(n, time, $"r{i}");
            yield return ($"user/u{user:D4}", n, time, json);
        }
    }
}
