using System.Globalization;
using System.Security.Cryptography;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging.Abstractions;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;
using UserData.Runtime.Storage.DynamoDB;

namespace UserData.Runtime.Tests.Storage;

/// <summary>The DynamoDB table design, read back raw with the client, and the adapter's DynamoDB-specific limits.</summary>
public sealed class DynamoDbJournalStorageDesignTests(DynamoDbFixture dynamo) : IClassFixture<DynamoDbFixture>
{
    private DynamoDbJournalStorage Storage => dynamo.Storage;

    private IAmazonDynamoDB Client => dynamo.Client;

    private static GrainId NewGrain() => new("design", Guid.NewGuid().ToString("N"));

    private static string Event(int n) => $$"""{"type":"noted","n":{{n}}}""";

    [Fact]
    public async Task Missing_tables_are_created_once_and_a_second_storage_uses_them()
    {
        var prefix = DynamoDbFixture.UniquePrefix();
        using var first = dynamo.CreateStorage(prefix);
        var grains = Enumerable.Range(0, 5).Select(_ => NewGrain()).ToList();

        // Concurrent first uses share one creation.
        await Task.WhenAll(grains.Select(grain => first.AppendAsync(grain, 0, [Event(1)])));

        foreach (var table in new[] { prefix + "journal", prefix + "snapshots" })
        {
            var described = (await Client.DescribeTableAsync(table)).Table;
            Assert.Equal(TableStatus.ACTIVE, described.TableStatus);
            Assert.Equal("grain", Assert.Single(described.KeySchema, key => key.KeyType == KeyType.HASH).AttributeName);
        }

        using var second = dynamo.CreateStorage(prefix, createTables: false);
        await second.EnsureTablesAsync();
        await second.CheckHealthAsync();
        Assert.Equal([Event(1)], (await second.ReadAsync(grains[0], 0, 10)).Select(e => e.Json));
        using var third = dynamo.CreateStorage(prefix);
        await third.AppendAsync(grains[0], 1, [Event(2)]);
        Assert.Equal([Event(1), Event(2)], (await first.ReadAsync(grains[0], 0, 10)).Select(e => e.Json));
    }

    [Fact]
    public async Task Without_CreateTables_a_missing_table_fails_naming_the_table_and_the_setting()
    {
        var prefix = DynamoDbFixture.UniquePrefix();
        using var storage = dynamo.CreateStorage(prefix, createTables: false);

        var append = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.AppendAsync(NewGrain(), 0, [Event(1)]));
        var health = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.CheckHealthAsync());

        Assert.Contains($"'{prefix}journal'", append.Message, StringComparison.Ordinal);
        Assert.Contains("Storage__DynamoDB__CreateTables", append.Message, StringComparison.Ordinal);
        Assert.Equal(append.Message, health.Message);
        Assert.DoesNotContain((await Client.ListTablesAsync()).TableNames ?? [], name => name.StartsWith(prefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Events_are_stored_as_readable_json_strings_one_item_per_append()
    {
        var grain = NewGrain();
        await Storage.AppendAsync(grain, 0, [Event(1), Event(2)]);
        await Storage.AppendAsync(grain, 2, [Event(3)]);

        var items = await QueryAsync(Storage.JournalTable, grain);

        Assert.Equal(2, items.Count);
        Assert.Equal(("1", "2"), (items[0]["seq"].N, items[0]["last_seq"].N));
        Assert.Equal([Event(1), Event(2)], items[0]["events"].L.Select(value => value.S));
        Assert.Equal(("3", "3"), (items[1]["seq"].N, items[1]["last_seq"].N));
        Assert.Equal([Event(3)], items[1]["events"].L.Select(value => value.S));
        Assert.All(items, item =>
        {
            var writtenAt = DateTimeOffset.ParseExact(item["written_at"].S, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            Assert.InRange(writtenAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        });
    }

    [Fact]
    public async Task A_read_starting_inside_an_append_continues_into_the_next_ones()
    {
        var grain = NewGrain();
        await Storage.AppendAsync(grain, 0, Enumerable.Range(1, 5).Select(Event).ToList());
        await Storage.AppendAsync(grain, 5, [Event(6), Event(7)]);
        await Storage.AppendAsync(grain, 7, [Event(8)]);

        Assert.Equal([4L, 5L, 6L, 7L, 8L], (await Storage.ReadAsync(grain, 3, 100)).Select(e => e.Seq));
        Assert.Equal([7L, 8L], (await Storage.ReadAsync(grain, 6, 100)).Select(e => e.Seq));
        Assert.Equal([5L, 6L], (await Storage.ReadAsync(grain, 4, 2)).Select(e => e.Seq));
    }

    [Fact]
    public async Task Reads_page_through_more_than_one_query_page()
    {
        // Five ~300 KB appends exceed DynamoDB's 1 MB query page.
        var grain = NewGrain();
        var events = Enumerable.Range(1, 5).Select(n => $$"""{"n":{{n}},"text":"{{new string('x', 300 * 1024)}}"}""").ToList();
        for (var i = 0; i < events.Count; i++)
        {
            await Storage.AppendAsync(grain, i, [events[i]]);
        }

        Assert.Equal(events, (await Storage.ReadAsync(grain, 0, 100)).Select(e => e.Json));
        Assert.Equal([events[2], events[3]], (await Storage.ReadAsync(grain, 2, 2)).Select(e => e.Json));
    }

    [Fact]
    public async Task A_small_snapshot_is_stored_as_readable_json_in_the_head_item()
    {
        var grain = NewGrain();
        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(4, """{"name":"Zoë"}"""));

        var item = Assert.Single(await QueryAsync(Storage.SnapshotTable, grain));

        Assert.Equal("head", item["part"].S);
        Assert.Equal("4", item["version"].N);
        Assert.Equal("json", item["encoding"].S);
        Assert.Equal("""{"name":"Zoë"}""", item["json"].S);
    }

    [Fact]
    public async Task A_large_snapshot_is_gzip_chunks_and_a_newer_snapshot_deletes_the_older_chunks()
    {
        var grain = NewGrain();
        var large = LargeJson(2 * 1024 * 1024);
        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(1, large));

        var head = await HeadAsync(grain);
        Assert.Equal("gzip", head["encoding"].S);
        var chunks = await QueryAsync(Storage.SnapshotTable, grain, "v0000000000000000001#");
        Assert.True(chunks.Count > 1, $"{chunks.Count} chunk items");
        Assert.Equal(head["chunks"].N, chunks.Count.ToString(CultureInfo.InvariantCulture));
        Assert.All(chunks, chunk => Assert.InRange(chunk["data"].B.Length, 1, 350 * 1024));

        var smaller = LargeJson(600 * 1024);
        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(2, smaller));

        Assert.Empty(await QueryAsync(Storage.SnapshotTable, grain, "v0000000000000000001#"));
        Assert.Equal((await HeadAsync(grain))["chunks"].N, (await QueryAsync(Storage.SnapshotTable, grain, "v0000000000000000002#")).Count.ToString(CultureInfo.InvariantCulture));

        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(3, """{"small":true}"""));

        Assert.Equal("head", Assert.Single(await QueryAsync(Storage.SnapshotTable, grain))["part"].S);
        Assert.Equal(new StoredSnapshot(3, """{"small":true}"""), await Storage.ReadSnapshotAsync(grain));
    }

    [Fact]
    public async Task An_older_large_snapshot_is_not_stored_and_leaves_no_chunks_behind()
    {
        var grain = NewGrain();
        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(5, """{"v":5}"""));

        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(3, LargeJson(1024 * 1024)));

        Assert.Equal("head", Assert.Single(await QueryAsync(Storage.SnapshotTable, grain))["part"].S);
        Assert.Equal(new StoredSnapshot(5, """{"v":5}"""), await Storage.ReadSnapshotAsync(grain));
    }

    [Fact]
    public async Task Concurrent_large_snapshots_are_read_whole_and_leave_only_the_newest_chunks()
    {
        // Two writers per version with different contents, as two activations of one grain could.
        var grain = NewGrain();
        var versions = Enumerable.Range(1, 5).Select(v => (Version: (long)v, Jsons: new[] { LargeJson(500 * 1024), LargeJson(500 * 1024) })).ToList();
        var writes = Task.WhenAll(versions.SelectMany(v => v.Jsons.Select(json => Storage.WriteSnapshotAsync(grain, new StoredSnapshot(v.Version, json)))));

        do
        {
            if (await Storage.ReadSnapshotAsync(grain) is { } read)
            {
                Assert.Contains(read.Json, versions.Single(v => v.Version == read.Version).Jsons);
            }
        }
        while (!writes.IsCompleted);

        await writes;
        var newest = await Storage.ReadSnapshotAsync(grain);
        Assert.Equal(5, newest?.Version);
        Assert.Contains(newest?.Json, versions[^1].Jsons);
        var head = await HeadAsync(grain);
        Assert.Equal(int.Parse(head["chunks"].N, CultureInfo.InvariantCulture) + 1, (await QueryAsync(Storage.SnapshotTable, grain)).Count);
    }

    [Fact]
    public async Task A_grain_id_longer_than_a_partition_key_is_refused()
    {
        var grain = new GrainId(new string('t', 1100), new string('k', 1000));

        var append = await Assert.ThrowsAsync<ArgumentException>(() => Storage.AppendAsync(grain, 0, [Event(1)]));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.ReadAsync(grain, 0, 10));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.ReadSnapshotAsync(grain));
        await Assert.ThrowsAsync<ArgumentException>(() => Storage.WriteSnapshotAsync(grain, new StoredSnapshot(1, "{}")));

        Assert.Contains("2048", append.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_append_larger_than_a_DynamoDB_item_is_refused_and_writes_nothing()
    {
        var grain = NewGrain();
        var tooLarge = $$"""{"text":"{{new string('x', 400 * 1024)}}"}""";

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => Storage.AppendAsync(grain, 0, [Event(1), tooLarge]));

        Assert.Contains("400 KB", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await Storage.ReadAsync(grain, 0, 10));
    }

    [Fact]
    public async Task An_append_whose_response_was_lost_and_retried_is_not_a_conflict()
    {
        var grain = NewGrain();
        using var retrying = dynamo.CreateStorage(dynamo.TablePrefix, client: DynamoDbLostResponseClient.Wrap(Client));

        await retrying.AppendAsync(grain, 0, [Event(1)]);

        Assert.Equal([Event(1)], (await Storage.ReadAsync(grain, 0, 10)).Select(e => e.Json));
        await Assert.ThrowsAsync<JournalConflictException>(() => retrying.AppendAsync(grain, 0, [Event(2)]));
    }

    [Fact]
    public async Task A_large_snapshot_whose_response_was_lost_and_retried_keeps_its_chunks()
    {
        var grain = NewGrain();
        using var retrying = dynamo.CreateStorage(dynamo.TablePrefix, client: DynamoDbLostResponseClient.Wrap(Client));
        var json = LargeJson(1024 * 1024);

        await retrying.WriteSnapshotAsync(grain, new StoredSnapshot(1, json));

        Assert.Equal(new StoredSnapshot(1, json), await Storage.ReadSnapshotAsync(grain));
    }

    [Fact]
    public async Task A_storage_built_from_options_with_a_service_url_works_without_aws_credentials()
    {
        var grain = NewGrain();
        using var storage = new DynamoDbJournalStorage(
            new DynamoDbJournalOptions { ServiceUrl = dynamo.ServiceUrl, TablePrefix = DynamoDbFixture.UniquePrefix() },
            NullLogger<DynamoDbJournalStorage>.Instance);

        await storage.AppendAsync(grain, 0, [Event(1)]);

        Assert.Equal([Event(1)], (await storage.ReadAsync(grain, 0, 10)).Select(e => e.Json));
    }

    private async Task<Dictionary<string, AttributeValue>> HeadAsync(GrainId grain) =>
        (await Client.GetItemAsync(new GetItemRequest
        {
            TableName = Storage.SnapshotTable,
            Key = new() { ["grain"] = new() { S = grain.ToString() }, ["part"] = new() { S = "head" } },
            ConsistentRead = true,
        })).Item;

    /// <summary>The grain's raw items, in key order, optionally only those whose sort key starts with <paramref name="partPrefix"/>.</summary>
    private async Task<List<Dictionary<string, AttributeValue>>> QueryAsync(string table, GrainId grain, string? partPrefix = null)
    {
        var request = new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = partPrefix is null ? "grain = :grain" : "grain = :grain AND begins_with(part, :prefix)",
            ExpressionAttributeValues = new() { [":grain"] = new() { S = grain.ToString() } },
            ConsistentRead = true,
        };
        if (partPrefix is not null)
        {
            request.ExpressionAttributeValues[":prefix"] = new() { S = partPrefix };
        }

        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            var page = await Client.QueryAsync(request);
            items.AddRange(page.Items ?? []);
            request.ExclusiveStartKey = page.LastEvaluatedKey;
        }
        while (request.ExclusiveStartKey is { Count: > 0 });

        return items;
    }

    /// <summary>Random base64 in a JSON string: it compresses to about 3/4, so a large one needs several chunks.</summary>
    private static string LargeJson(int bytes) => $$"""{"data":"{{Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes * 3 / 4))}}"}""";
}
