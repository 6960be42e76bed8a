using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using UserData.Gateway.Tests.Support;
using UserData.Lake.Configuration;
using UserData.Lake.Storage;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Lake;

/// <summary>
/// The lake worker in the gateway's co-hosted silo (<c>Lake__Enabled=true</c>), end to end: a scripted workload over
/// HTTP (register, profile, tasks created, updated, deleted, results, sign-in, erasure), then the lake's <c>events</c>
/// equal the journal's events minus the erased user's, each once; <c>tasks</c> equals the API's view of every remaining
/// user's tasks; no personal value is in any lake file; the erasure's audit is a log line. A restart resumes from the
/// checkpoint. On SQLite and on DynamoDB Local (Streams) with a lake folder, and on SQLite with the lake in S3 (s3rver).
/// </summary>
public sealed class LakeExportTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-lake-").FullName;
    private readonly CapturingLoggerProvider _logs = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task On_sqlite_the_lake_folder_holds_the_journal_minus_the_erased_user_and_the_api_s_tasks()
    {
        var settings = LakeSettings(GatewayHost.BaseSettings(_folder));
        settings["Lake:Path"] = Path.Combine(_folder, "lake");
        var storage = new FolderLakeStorage(settings["Lake:Path"]!);

        await RunWorkloadAndCheckAsync(settings, storage, () => Task.FromResult(ReadSqliteJournal(settings["Storage:Sqlite:Path"]!)));
    }

    [Fact]
    public async Task On_dynamodb_streams_the_lake_folder_holds_the_journal_minus_the_erased_user_and_the_api_s_tasks()
    {
        var dynamoDb = await DynamoDbLocal.Shared;
        var settings = LakeSettings(DynamoDbGateway.DynamoDbSettings(GatewayHost.BaseSettings(_folder), dynamoDb.ServiceUrl));
        settings["Lake:Path"] = Path.Combine(_folder, "lake");
        using var client = new AmazonDynamoDBClient(
            new BasicAWSCredentials(DynamoDbLocal.AccessKey, DynamoDbLocal.SecretKey),
            new AmazonDynamoDBConfig { ServiceURL = dynamoDb.ServiceUrl, AuthenticationRegion = DynamoDbLocal.Region });

        await RunWorkloadAndCheckAsync(
            settings, new FolderLakeStorage(settings["Lake:Path"]!), () => ReadDynamoDbJournalAsync(client, settings["Storage:DynamoDB:TablePrefix"] + "journal"));
    }

    [Fact]
    public async Task On_sqlite_the_s3_lake_holds_the_journal_minus_the_erased_user_and_the_api_s_tasks()
    {
        var s3 = await S3rver.Shared;
        var settings = LakeSettings(GatewayHost.BaseSettings(_folder));
        settings["Lake:S3Bucket"] = S3rver.Bucket;
        settings["Lake:S3Prefix"] = S3rver.NewPrefix();
        settings["Lake:S3ServiceUrl"] = s3.ServiceUrl;
        var storage = LakeStorageFactory.Create(new LakeOptions { S3Bucket = S3rver.Bucket, S3Prefix = settings["Lake:S3Prefix"]!, S3ServiceUrl = s3.ServiceUrl });
        try
        {
            await RunWorkloadAndCheckAsync(settings, storage, () => Task.FromResult(ReadSqliteJournal(settings["Storage:Sqlite:Path"]!)));
        }
        finally
        {
            (storage as IDisposable)?.Dispose();
        }
    }

    private static Dictionary<string, string?> LakeSettings(Dictionary<string, string?> settings)
    {
        settings["Lake:Enabled"] = "true";
        settings["Lake:CompactionInterval"] = "00:00:02";
        settings["Lake:PollInterval"] = "00:00:00.2";
        settings["Lake:LeaseDuration"] = "00:00:03";
        settings["Logging:LogLevel:UserData.Lake"] = "Information";
        return settings;
    }

    private async Task RunWorkloadAndCheckAsync(Dictionary<string, string?> settings, ILakeStorage storage, Func<Task<List<JournalEvent>>> readJournal)
    {
        List<Session> kept;
        Session erased;
        await using (var host = await GatewayHost.StartAsync(settings, builder => builder.Logging.AddProvider(_logs)))
        {
            var api = new Support.Api(host.Client);
            kept = [await UseAsync(api, "ada"), await UseAsync(api, "grace")];
            erased = await UseAsync(api, "erased");
            var personal = PersonalValues(await readJournal(), [.. kept, erased]);
            Expect.Status(await api.SendAsync(HttpMethod.Delete, "/api/v1/me", token: erased.AccessToken), HttpStatusCode.NoContent);

            await WaitUntilLakeMatchesAsync(api, storage, readJournal, kept, erased);
            await Eventually.TrueAsync(
                () => _logs.Lines.Any(line => line.Contains($"Erasure of user {erased.UserId} carried out in the lake", StringComparison.Ordinal)),
                Deadline, "the erasure's audit log line");
            var everything = await LakeReader.EverythingAsync(storage);
            Assert.All(personal, value => Assert.DoesNotContain(value, everything, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(erased.UserId, everything, StringComparison.Ordinal);
        }

        // A restart resumes from the checkpoint: what is new is exported, nothing twice.
        await using (var host = await GatewayHost.StartAsync(settings, builder => builder.Logging.AddProvider(_logs)))
        {
            var api = new Support.Api(host.Client);
            var session = await LoginAsync(api, kept[0]);
            Expect.Status(await api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = "after the restart", ["status"] = "in_progress" }, session.AccessToken), HttpStatusCode.Created);
            kept[0] = session;
            await WaitUntilLakeMatchesAsync(api, storage, readJournal, kept, erased);
        }
    }

    /// <summary>Registers a user who names themself, writes tasks (one updated, one deleted) and generates a result.</summary>
    private static async Task<Session> UseAsync(Support.Api api, string name)
    {
        var session = await api.RegisterAsync(Support.Api.NewEmail(name));
        Expect.Status(await api.SendAsync(HttpMethod.Patch, "/api/v1/me", new JsonObject { ["display_name"] = $"Display {name} {Guid.NewGuid():N}" }, session.AccessToken), HttpStatusCode.OK);
        var ids = new List<string>();
        foreach (var (task, index) in new[] { "plan", "write", "ship" }.Select((task, index) => (task, index)))
        {
            var created = await api.SendAsync(
                HttpMethod.Post, "/api/v1/me/tasks",
                new JsonObject
                {
                    ["name"] = $"{name} {task}",
                    ["description"] = $"{task} it well",
                    ["due_at"] = DateTimeOffset.UtcNow.AddDays(index - 1).ToString("O", CultureInfo.InvariantCulture),
                    ["metadata"] = new JsonObject { ["category"] = "work", ["tags"] = new JsonArray("lake", task) },
                },
                session.AccessToken);
            Expect.Status(created, HttpStatusCode.Created);
            ids.Add(created.Data["id"]!.GetValue<string>());
        }

        Expect.Status(await api.SendAsync(HttpMethod.Patch, $"/api/v1/me/tasks/{ids[0]}", new JsonObject { ["status"] = "done" }, session.AccessToken), HttpStatusCode.OK);
        Expect.Status(await api.SendAsync(HttpMethod.Delete, $"/api/v1/me/tasks/{ids[1]}", token: session.AccessToken), HttpStatusCode.NoContent);
        Expect.Status(await api.SendAsync(HttpMethod.Post, "/api/v1/me/results", token: session.AccessToken), HttpStatusCode.Created);
        return await LoginAsync(api, session);
    }

    private static async Task<Session> LoginAsync(Support.Api api, Session session)
    {
        var login = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = session.Email, ["password"] = Support.Api.Password });
        Expect.Status(login, HttpStatusCode.OK);
        return Support.Api.ToSession(login, session.Email);
    }

    private async Task WaitUntilLakeMatchesAsync(Support.Api api, ILakeStorage storage, Func<Task<List<JournalEvent>>> readJournal, List<Session> kept, Session erased)
    {
        List<string> expectedEvents = [], lakeEvents = [], expectedTasks = [], lakeTasks = [];
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                expectedEvents = [.. (await readJournal())
                    .Where(entry => entry.Data is not null && entry.Stream != "user/" + erased.UserId)
                    .Select(entry => $"{entry.Stream["user/".Length..]}\t{entry.Seq}\t{JsonNode.Parse(entry.Data!)!["type"]}")
                    .Order(StringComparer.Ordinal)];
                lakeEvents = [.. (await LakeReader.RowsAsync(storage, "SELECT user_id, seq, event_type FROM events")).Order(StringComparer.Ordinal)];
                expectedTasks = await ApiTasksAsync(api, kept);
                lakeTasks = [.. (await LakeReader.RowsAsync(storage, "SELECT user_id, task_id, name, description, status, category, tags, version FROM tasks"))
                    .Order(StringComparer.Ordinal)];
                return expectedEvents.SequenceEqual(lakeEvents) && expectedTasks.SequenceEqual(lakeTasks);
            }, Deadline, "the lake to match the journal and the API");
        }
        catch (TimeoutException)
        {
            Assert.True(lakeEvents.Count > 0, "Nothing was exported; the lake's log:\n" + string.Join('\n', _logs.Lines.Where(line => line.Contains("UserData.Lake", StringComparison.Ordinal))));
            Assert.Equal(string.Join('\n', expectedEvents), string.Join('\n', lakeEvents));
            Assert.Equal(string.Join('\n', expectedTasks), string.Join('\n', lakeTasks));
            throw;
        }
    }

    private static async Task<List<string>> ApiTasksAsync(Support.Api api, List<Session> users)
    {
        var rows = new List<string>();
        foreach (var user in users)
        {
            var reply = await api.GetAsync("/api/v1/me/tasks?limit=100", user.AccessToken);
            Expect.Status(reply, HttpStatusCode.OK);
            rows.AddRange(reply.Data.AsArray().Select(task => string.Join('\t',
                user.UserId,
                task!["id"]!.GetValue<string>(),
                task["name"]!.GetValue<string>(),
                task["description"]?.GetValue<string>() ?? "NULL",
                task["status"]!.GetValue<string>(),
                task["metadata"]?["category"]?.GetValue<string>() ?? "NULL",
                "[" + string.Join(", ", task["metadata"]?["tags"]?.AsArray().Select(tag => tag!.GetValue<string>()) ?? []) + "]",
                task["version"]!.GetValue<long>().ToString(CultureInfo.InvariantCulture))));
        }

        return [.. rows.Order(StringComparer.Ordinal)];
    }

    /// <summary>The users' emails and every name, hash and token the journal holds about them: none may reach the lake.</summary>
    private static List<string> PersonalValues(List<JournalEvent> journal, List<Session> users)
    {
        var values = users.Select(user => user.Email).ToList();
        var personalFields = new HashSet<string>(["email", "display_name", "password_hash", "token_hash", "key", "response", "attributes"], StringComparer.Ordinal);
        foreach (var entry in journal.Where(entry => entry.Data is not null))
        {
            Collect(JsonNode.Parse(entry.Data!), personalFields, values, inPersonal: false);
        }

        Assert.Contains(values, value => value.StartsWith("Display ", StringComparison.Ordinal));
        return [.. values.Distinct(StringComparer.Ordinal)];
    }

    private static void Collect(JsonNode? node, HashSet<string> personalFields, List<string> values, bool inPersonal)
    {
        switch (node)
        {
            case JsonObject json:
                foreach (var (name, child) in json)
                {
                    Collect(child, personalFields, values, inPersonal || personalFields.Contains(name));
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Collect(child, personalFields, values, inPersonal);
                }

                break;
            case JsonValue value when inPersonal && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length >= 8:
                values.Add(value.GetValue<string>());
                break;
        }
    }

    private static List<JournalEvent> ReadSqliteJournal(string path)
    {
        var events = new List<JournalEvent>();
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT stream, seq, data FROM journal_events ORDER BY position";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add(new JournalEvent(reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return events;
    }

    private static async Task<List<JournalEvent>> ReadDynamoDbJournalAsync(IAmazonDynamoDB client, string table)
    {
        var events = new List<JournalEvent>();
        var request = new ScanRequest { TableName = table, ConsistentRead = true };
        do
        {
            var page = await client.ScanAsync(request);
            foreach (var item in page.Items ?? [])
            {
                var first = long.Parse(item["seq"].N, CultureInfo.InvariantCulture);
                var list = item.GetValueOrDefault("events")?.L ?? [];
                for (var i = 0; i < list.Count; i++)
                {
                    events.Add(new JournalEvent(item["stream"].S, first + i, list[i].S));
                }
            }

            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (request.ExclusiveStartKey is not null);
        return events;
    }

    private sealed record JournalEvent(string Stream, long Seq, string? Data);
}
