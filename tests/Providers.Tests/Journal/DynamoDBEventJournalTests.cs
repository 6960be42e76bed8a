using System.Globalization;
using System.Security.Cryptography;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UserData.Providers.DynamoDB.Journal;
using UserData.Providers.Journal;
using UserData.TestSupport;

namespace UserData.Providers.Tests.Journal;

/// <summary>The store contract on DynamoDB Local, plus the table design read back raw with the client.</summary>
public sealed class DynamoDBEventJournalStoreTests : EventJournalStoreContract
{
    private DynamoDBJournalBackend Dynamo => (DynamoDBJournalBackend)Backend;

    [Fact]
    public async Task Each_append_is_one_item_with_its_sequence_range_write_time_append_id_and_readable_events()
    {
        var stream = NewStream();
        var first = Append(stream, 1, 1, 2);
        await Store.AppendAsync(first);
        await Store.AppendAsync(Append(stream, 3, 3));

        var items = await QueryAsync(Dynamo.JournalTable, stream);

        Assert.Equal([("1", "2"), ("3", "3")], items.Select(item => (item["seq"].N, item["last_seq"].N)));
        Assert.Equal([Json(1), Json(2)], items[0]["events"].L.Select(value => value.S));
        Assert.Equal([Json(3)], items[1]["events"].L.Select(value => value.S));
        Assert.Equal(first.AppendId, items[0]["append_id"].S);
        Assert.All(items, item => Assert.InRange(
            DateTimeOffset.ParseExact(item["written_at"].S, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5),
            DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task The_journal_table_it_creates_streams_new_and_old_images()
    {
        var table = (await Dynamo.Client.DescribeTableAsync(Dynamo.JournalTable)).Table;

        Assert.True(table.StreamSpecification?.StreamEnabled);
        Assert.Equal(StreamViewType.NEW_AND_OLD_IMAGES, table.StreamSpecification?.StreamViewType);
        Assert.Equal(["stream", "seq"], table.KeySchema.Select(key => key.AttributeName));
    }

    [Fact]
    public async Task Reads_page_through_more_than_one_query_page()
    {
        // Five ~300 KB appends exceed DynamoDB's 1 MB query page.
        var stream = NewStream();
        var events = Enumerable.Range(1, 5).Select(n => new NewEvent("noted", $$"""{"n":{{n}},"text":"{{new string('x', 300 * 1024)}}"}""")).ToList();
        for (var i = 0; i < events.Count; i++)
        {
            await Store.AppendAsync(new JournalAppend(stream, i + 1, $"a{i}", [events[i]]));
        }

        Assert.Equal(events.Select(e => e.Json), (await ReadAllAsync(stream)).Select(e => e.Text()));
        Assert.Equal([events[2].Json, events[3].Json], (await Store.ReadAsync(stream, 2, long.MaxValue, 2, CancellationToken.None)).Select(e => e.Text()));
    }

    [Fact]
    public async Task Erasure_removes_the_events_and_keeps_the_items_and_nulls_the_erased_events_of_a_partly_erased_item()
    {
        var stream = NewStream();
        var first = Append(stream, 1, 1, 2, 3);
        await Store.AppendAsync(first);
        await Store.AppendAsync(Append(stream, 4, 4));

        await Store.RedactAsync(stream, 0, 2, RedactionKind.Erasure);

        var partly = (await QueryAsync(Dynamo.JournalTable, stream))[0];
        Assert.Equal([true, true, false], partly["events"].L.Select(value => value.NULL == true));
        Assert.Equal(Json(3), partly["events"].L[2].S);

        await Store.RedactAsync(stream, 0, 3, RedactionKind.Erasure);

        var items = await QueryAsync(Dynamo.JournalTable, stream);
        Assert.Equal(["append_id", "last_seq", "seq", "stream", "written_at"], items[0].Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("1", "3", first.AppendId), (items[0]["seq"].N, items[0]["last_seq"].N, items[0]["append_id"].S));
        Assert.Equal([Json(4)], items[1]["events"].L.Select(value => value.S));
    }

    [Fact]
    public async Task Compaction_inside_an_append_nulls_only_the_events_of_its_range()
    {
        var stream = NewStream();
        await Store.AppendAsync(Append(stream, 1, 1));
        await Store.AppendAsync(Append(stream, 2, 2, 3, 4, 5));
        await Store.AppendAsync(Append(stream, 6, 6));

        await Store.RedactAsync(stream, 2, 4, RedactionKind.Compaction);

        var items = await QueryAsync(Dynamo.JournalTable, stream);
        Assert.Equal([Json(1)], items[0]["events"].L.Select(value => value.S));
        Assert.Equal([false, true, true, false], items[1]["events"].L.Select(value => value.NULL == true));
        Assert.Equal([1L, 2L, 5L, 6L], Seqs(await ReadAllAsync(stream)));

        await Store.RedactAsync(stream, 4, 6, RedactionKind.Compaction);

        items = await QueryAsync(Dynamo.JournalTable, stream);
        Assert.Equal([false, true, true, true], items[1]["events"].L.Select(value => value.NULL == true));
        Assert.False(items[2].ContainsKey("events"));
        Assert.Equal([1L, 2L], Seqs(await ReadAllAsync(stream)));
    }

    [Fact]
    public async Task A_large_snapshot_is_gzip_chunks_and_a_newer_snapshot_deletes_the_older_chunks()
    {
        var stream = NewStream();
        await Store.WriteSnapshotAsync(stream, new StoredSnapshot(1, RandomJson(2 * 1024 * 1024)));

        var head = await HeadAsync(stream);
        var chunks = await QueryAsync(Dynamo.SnapshotTable, stream, "v0000000000000000001#");
        Assert.Equal("gzip", head["encoding"].S);
        Assert.True(chunks.Count > 1, $"{chunks.Count} chunk items");
        Assert.Equal(head["chunks"].N, chunks.Count.ToString(CultureInfo.InvariantCulture));
        Assert.All(chunks, chunk => Assert.InRange(chunk["data"].B.Length, 1, 350 * 1024));

        await Store.WriteSnapshotAsync(stream, new StoredSnapshot(2, """{"small":true}"""));

        var item = Assert.Single(await QueryAsync(Dynamo.SnapshotTable, stream));
        Assert.Equal(("head", "json", """{"small":true}"""), (item["part"].S, item["encoding"].S, item["json"].S));
    }

    [Fact]
    public async Task An_append_larger_than_a_DynamoDB_item_is_refused_and_writes_nothing()
    {
        var stream = NewStream();
        var tooLarge = new JournalAppend(stream, 1, "big", [new NewEvent("noted", $$"""{"text":"{{new string('x', 400 * 1024)}}"}""")]);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.AppendAsync(tooLarge));

        Assert.Contains("400 KB", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await ReadAllAsync(stream));
    }

    [Fact]
    public async Task Without_CreateTables_a_missing_table_fails_the_start_naming_it_and_the_setting_and_is_never_created()
    {
        var options = new DynamoDBEventJournalOptions
        {
            JournalTableName = DynamoDbLocal.NewTablePrefix() + "journal",
            CreateTables = false,
            CreateTablesSetting = "Storage__DynamoDB__CreateTables",
        };
        var store = new DynamoDBEventJournalStore(Dynamo.Client, ownsClient: false, options, NullLogger<DynamoDBEventJournalStore>.Instance);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.StartAsync(CancellationToken.None));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => store.CheckHealthAsync(CancellationToken.None));

        Assert.Contains($"'{options.JournalTableName}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Storage__DynamoDB__CreateTables", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(options.JournalTableName, (await Dynamo.Client.ListTablesAsync()).TableNames ?? []);
    }

    protected override async Task<JournalBackend> CreateBackendAsync() => await DynamoDBJournalBackend.CreateAsync();

    private async Task<Dictionary<string, AttributeValue>> HeadAsync(string stream) =>
        (await Dynamo.Client.GetItemAsync(new GetItemRequest
        {
            TableName = Dynamo.SnapshotTable,
            Key = new() { ["stream"] = new() { S = stream }, ["part"] = new() { S = "head" } },
            ConsistentRead = true,
        })).Item;

    /// <summary>The stream's raw items in key order, optionally only those whose sort key starts with <paramref name="partPrefix"/>.</summary>
    private async Task<List<Dictionary<string, AttributeValue>>> QueryAsync(string table, string stream, string? partPrefix = null)
    {
        var request = new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = partPrefix is null ? "#stream = :stream" : "#stream = :stream AND begins_with(part, :prefix)",
            ExpressionAttributeNames = new() { ["#stream"] = "stream" },
            ExpressionAttributeValues = new() { [":stream"] = new() { S = stream } },
            ConsistentRead = true,
        };
        if (partPrefix is not null)
        {
            request.ExpressionAttributeValues[":prefix"] = new() { S = partPrefix };
        }

        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            var page = await Dynamo.Client.QueryAsync(request);
            items.AddRange(page.Items ?? []);
            request.ExclusiveStartKey = page.LastEvaluatedKey;
        }
        while (request.ExclusiveStartKey is { Count: > 0 });

        return items;
    }

    /// <summary>Random base64 in a JSON string: it compresses to about 3/4, so a large one needs several chunks.</summary>
    private static string RandomJson(int bytes) => $$"""{"data":"{{Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes * 3 / 4))}}"}""";
}

/// <summary>The grain contract on DynamoDB Local, plus an injected client, lost answers, an outage and bounded reads.</summary>
public sealed class DynamoDBJournaledGrainTests : JournaledGrainContract
{
    private DynamoDBJournalBackend Dynamo => (DynamoDBJournalBackend)Backend;

    [Fact]
    public async Task An_injected_client_is_used_instead_of_one_made_from_the_options()
    {
        using var client = await InterferingDynamoDBClient.CreateAsync();
        await using var cluster = await StartClusterAsync(
            options => ((DynamoDBEventJournalOptions)options).ServiceUrl = "http://127.0.0.1:9",
            silo => silo.Services.AddSingleton<IAmazonDynamoDB>(client));
        var grain = cluster.Tally(NewKey());

        Assert.True(await grain.TryAddAsync(["via the injected client"]));

        Assert.True(client.Calls >= 3, $"{client.Calls} calls");
        Assert.Equal(["via the injected client"], (await ReadAllAsync(grain)).Select(EntryOf));
    }

    [Fact]
    public async Task An_append_whose_answer_was_lost_is_retried_with_its_append_id_and_stored_once()
    {
        using var client = await InterferingDynamoDBClient.CreateAsync();
        var logs = new CapturedLogs();
        await using var cluster = await StartClusterAsync(client, logs);
        var grain = cluster.Tally(NewKey());
        await grain.GetAsync();

        client.LoseNextPutAnswer(Dynamo.JournalTable);
        Assert.True(await grain.TryAddAsync(["once"]));

        var view = await grain.GetAsync();
        Assert.Equal(1, view.Version);
        Assert.Equal(["once"], view.Entries);
        Assert.True(view.ConnectionIssues >= 1);
        Assert.Equal(["once"], (await ReadAllAsync(grain)).Select(EntryOf));
        Assert.Contains(logs.Entries, entry => entry.Message.Contains("had been stored by an earlier attempt", StringComparison.Ordinal));
        Assert.True(await grain.TryAddAsync(["twice"]));
        Assert.Equal(["once", "twice"], (await ReadAllAsync(grain)).Select(EntryOf));
    }

    [Fact]
    public async Task While_DynamoDB_fails_activations_and_writes_retry_and_complete_once_it_answers()
    {
        using var client = await InterferingDynamoDBClient.CreateAsync();
        var logs = new CapturedLogs();
        await using var cluster = await StartClusterAsync(client, logs);
        var writer = cluster.Tally(NewKey());
        await writer.GetAsync();

        client.Down = true;
        var add = writer.TryAddAsync(["waited"]);
        var activation = cluster.Tally(NewKey()).GetAsync();
        await Eventually.TrueAsync(
            () => Warnings(logs, "append") >= 2 && Warnings(logs, "read") >= 2,
            because: "the append and the activation's read are retried while DynamoDB fails");
        Assert.False(add.IsCompleted);
        Assert.False(activation.IsCompleted);
        client.Down = false;

        Assert.True(await add);
        Assert.Equal(0, (await activation).Version);
        Assert.Equal(["waited"], (await writer.GetAsync()).Entries);
        Assert.Equal(["waited"], (await ReadAllAsync(writer)).Select(EntryOf));
    }

    [Fact]
    public async Task A_failed_snapshot_is_logged_with_the_grain_and_version_and_does_not_hold_back_the_append()
    {
        using var client = await InterferingDynamoDBClient.CreateAsync();
        var logs = new CapturedLogs();
        await using var cluster = await StartClusterAsync(client, logs, options => options.SnapshotInterval = 1);
        var grain = cluster.Tally(NewKey());
        client.FailPutsInto(Dynamo.SnapshotTable);

        Assert.True(await grain.TryAddAsync(["a"]));

        var failure = Assert.Single(logs.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.StartsWith("Snapshot of", StringComparison.Ordinal));
        Assert.Equal((grain.GetGrainId(), 1L), (failure.Fields["GrainId"], failure.Fields["Version"]));
        Assert.Null(await Store.ReadSnapshotAsync(StreamOf(grain), CancellationToken.None));
        Assert.Equal(["a"], (await ReadAllAsync(grain)).Select(EntryOf));
    }

    [Theory]
    [InlineData(nameof(DynamoDBEventJournalOptions.JournalTableName), "JournalTableName must be a DynamoDB table name")]
    [InlineData(nameof(DynamoDBEventJournalOptions.ServiceUrl), "ServiceUrl must be an absolute http or https URL")]
    public async Task An_invalid_DynamoDB_setting_stops_the_silo_with_a_message_naming_it(string setting, string message)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartClusterAsync(options =>
        {
            var dynamo = (DynamoDBEventJournalOptions)options;
            if (setting == nameof(DynamoDBEventJournalOptions.ServiceUrl))
            {
                dynamo.ServiceUrl = "not a url";
            }
            else
            {
                dynamo.JournalTableName = "x";
            }
        }));

        Assert.Contains($"Event journal '{JournalBackend.ProviderName}' (DynamoDBEventJournalOptions): {message}", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retrieving_a_segment_reads_only_the_items_of_that_range()
    {
        using var client = await InterferingDynamoDBClient.CreateAsync();
        await using var cluster = await StartClusterAsync(client);
        var grain = cluster.Tally(NewKey());
        for (var n = 1; n <= 50; n++)
        {
            Assert.True(await grain.TryAddAsync([$"e{n}"]));
        }

        client.ResetCounts();
        Assert.Equal(["e41", "e42"], await grain.GetHistoryAsync(40, 42));

        Assert.InRange(client.QueriedItems, 2, 3);
    }

    [Fact]
    public async Task With_CreateTables_off_and_no_tables_the_silo_does_not_start_and_names_the_table_and_the_setting()
    {
        await using var empty = await DynamoDBJournalBackend.CreateAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => JournalCluster.StartAsync(
            empty, options => ((DynamoDBEventJournalOptions)options).CreateTables = false));

        Assert.Contains($"'{empty.JournalTable}' does not exist and CreateTables is false", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(empty.JournalTable, (await Dynamo.Client.ListTablesAsync()).TableNames ?? []);
    }

    protected override async Task<JournalBackend> CreateBackendAsync() => await DynamoDBJournalBackend.CreateAsync();

    /// <summary>A cluster whose journal uses <paramref name="client"/> (registered as the application's own) and logs to <paramref name="logs"/>.</summary>
    private Task<JournalCluster> StartClusterAsync(InterferingDynamoDBClient client, CapturedLogs? logs = null, Action<IEventJournalOptions>? configure = null) =>
        StartClusterAsync(configure, silo =>
        {
            silo.Services.AddSingleton<IAmazonDynamoDB>(client);
            if (logs is not null)
            {
                silo.Services.AddSingleton<ILoggerProvider>(logs);
            }
        });

    private static int Warnings(CapturedLogs logs, string operation) =>
        logs.Entries.Count(entry => entry.Level == LogLevel.Warning && Equals(entry.Fields.GetValueOrDefault("Operation"), operation));
}
