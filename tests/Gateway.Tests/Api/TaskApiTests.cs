using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

public abstract class TaskApiTests(GatewayFixture fixture)
{
    private Support.Api Api => fixture.Api;

    private async Task<Reply> CreateAsync(Session session, string body, IDictionary<string, string>? headers = null) =>
        await Api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", body, session.AccessToken, headers);

    [Fact]
    public async Task Create_returns_201_with_location_etag_and_the_task()
    {
        var session = await Api.RegisterAsync();

        var reply = await CreateAsync(session, """{"name":"  Write report  ","description":"Q3","status":"in_progress","due_at":"2030-01-02T03:04:05.678+02:00","metadata":{"category":"work","tags":["a","b"]}}""");

        Expect.Status(reply, HttpStatusCode.Created);
        var task = reply.Data.AsObject();
        Assert.Equal(["id", "name", "description", "status", "due_at", "metadata", "version", "created_at", "updated_at"], task.Select(property => property.Key));
        Assert.Equal($"/api/v1/me/tasks/{task["id"]}", reply.Headers.Location!.ToString());
        Assert.Equal("\"1\"", reply.ETag);
        Assert.Equal("Write report", task["name"]!.GetValue<string>());
        Assert.Equal("in_progress", task["status"]!.GetValue<string>());
        Assert.Equal("2030-01-02T01:04:05.678Z", task["due_at"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"category":"work","tags":["a","b"]}"""), task["metadata"]));

        var read = await Api.GetAsync(reply.Headers.Location.ToString(), session.AccessToken);
        Expect.Status(read, HttpStatusCode.OK);
        Assert.Equal(task.ToJsonString(), read.Data.ToJsonString());
    }

    [Fact]
    public async Task Defaults_are_todo_with_empty_metadata()
    {
        var session = await Api.RegisterAsync();
        var task = (await CreateAsync(session, """{"name":"x"}""")).Data;
        Assert.Equal("todo", task["status"]!.GetValue<string>());
        Assert.Null(task["due_at"]);
        Assert.Null(task["description"]);
        Assert.Equal("""{"category":null,"tags":[]}""", task["metadata"]!.ToJsonString());
    }

    public static TheoryData<string, string, string> InvalidTasks => new()
    {
        { """{}""", "name", "required" },
        { """{"name":"   "}""", "name", "required" },
        { """{"name":null}""", "name", "required" },
        { $$"""{"name":"{{new string('n', 256)}}"}""", "name", "too_long" },
        { $$"""{"name":"x","description":"{{new string('d', 2001)}}"}""", "description", "too_long" },
        { """{"name":"x","status":"finished"}""", "status", "invalid_value" },
        { """{"name":"x","status":"DONE"}""", "status", "invalid_value" },
        { """{"name":"x","due_at":"tomorrow"}""", "due_at", "invalid_format" },
        { """{"name":"x","due_at":"2030-01-01T00:00:00"}""", "due_at", "invalid_format" },
        { """{"name":"x","due_at":12}""", "due_at", "invalid_type" },
        { $$$"""{"name":"x","metadata":{"category":"{{{new string('c', 65)}}}"}}""", "metadata.category", "too_long" },
        { """{"name":"x","metadata":{"tags":["a","a"]}}""", "metadata.tags", "duplicate" },
        { """{"name":"x","metadata":{"tags":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r","s","t","u"]}}""", "metadata.tags", "too_many" },
        { $$$"""{"name":"x","metadata":{"tags":["{{{new string('t', 33)}}}"]}}""", "metadata.tags[0]", "too_long" },
        { """{"name":"x","metadata":{"tags":[""]}}""", "metadata.tags[0]", "required" },
        { """{"name":"x","metadata":{"tags":"a"}}""", "metadata.tags", "invalid_type" },
        { """{"name":"x","metadata":{"owner":"me"}}""", "metadata.owner", "unknown_field" },
        { """{"name":"x","metadata":[1]}""", "metadata", "invalid_type" },
        { """{"name":"x","id":"mine"}""", "id", "unknown_field" },
        { """{"name":"x","user_id":"someone"}""", "user_id", "unknown_field" },
        { """{"name":"x","created_at":"2020-01-01T00:00:00Z"}""", "created_at", "unknown_field" },
        { """{"name":"x","version":3}""", "version", "unknown_field" },
        { """{"name":["x"]}""", "name", "invalid_type" },
    };

    [Theory]
    [MemberData(nameof(InvalidTasks))]
    public async Task Create_validation(string body, string field, string issue)
    {
        var session = await Api.RegisterAsync();
        Expect.Error(await CreateAsync(session, body), HttpStatusCode.BadRequest, "VALIDATION_ERROR", (field, issue));
    }

    [Fact]
    public async Task Boundary_values_are_accepted()
    {
        var session = await Api.RegisterAsync();
        var tags = string.Join(",", Enumerable.Range(0, 20).Select(i => $"\"{i}{new string('t', 30)}\""));
        var body = $$$"""{"name":"{{{new string('n', 255)}}}","description":"{{{new string('d', 2000)}}}","metadata":{"category":"{{{new string('c', 64)}}}","tags":[{{{tags}}}]}}""";
        Expect.Status(await CreateAsync(session, body), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Names_are_unique_case_insensitively_until_deleted()
    {
        var session = await Api.RegisterAsync();
        var first = await CreateAsync(session, """{"name":"Groceries"}""");

        Expect.Error(await CreateAsync(session, """{"name":" groceries "}"""), HttpStatusCode.Conflict, "DUPLICATE_NAME");

        Expect.Status(await Api.SendAsync(HttpMethod.Delete, $"/api/v1/me/tasks/{first.Data["id"]}", token: session.AccessToken), HttpStatusCode.NoContent);
        Expect.Error(await Api.GetAsync($"/api/v1/me/tasks/{first.Data["id"]}", session.AccessToken), HttpStatusCode.NotFound, "NOT_FOUND");
        Expect.Error(await Api.SendAsync(HttpMethod.Delete, $"/api/v1/me/tasks/{first.Data["id"]}", token: session.AccessToken), HttpStatusCode.NotFound, "NOT_FOUND");
        Expect.Status(await CreateAsync(session, """{"name":"GROCERIES"}"""), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Put_replaces_the_whole_task_and_patch_only_the_given_fields()
    {
        var session = await Api.RegisterAsync();
        var created = await CreateAsync(session, """{"name":"a","description":"d","due_at":"2030-01-01T00:00:00Z","metadata":{"category":"c","tags":["t"]}}""");
        var path = $"/api/v1/me/tasks/{created.Data["id"]}";

        var patched = await Api.SendRawAsync(HttpMethod.Patch, path, """{"status":"done","due_at":null}""", session.AccessToken);
        Expect.Status(patched, HttpStatusCode.OK);
        Assert.Equal("\"2\"", patched.ETag);
        Assert.Equal("d", patched.Data["description"]!.GetValue<string>());
        Assert.Equal("done", patched.Data["status"]!.GetValue<string>());
        Assert.Null(patched.Data["due_at"]);
        Assert.Equal("c", patched.Data["metadata"]!["category"]!.GetValue<string>());

        var replaced = await Api.SendRawAsync(HttpMethod.Put, path, """{"name":"b"}""", session.AccessToken);
        Expect.Status(replaced, HttpStatusCode.OK);
        Assert.Equal("b", replaced.Data["name"]!.GetValue<string>());
        Assert.Null(replaced.Data["description"]);
        Assert.Equal("todo", replaced.Data["status"]!.GetValue<string>());
        Assert.Equal("""{"category":null,"tags":[]}""", replaced.Data["metadata"]!.ToJsonString());
        Assert.Equal(3, replaced.Data["version"]!.GetValue<long>());
        Assert.Equal(created.Data["created_at"]!.GetValue<string>(), replaced.Data["created_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Updates_validate_like_creation()
    {
        var session = await Api.RegisterAsync();
        var path = $"/api/v1/me/tasks/{(await CreateAsync(session, """{"name":"a"}""")).Data["id"]}";
        await CreateAsync(session, """{"name":"taken"}""");

        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, path, """{"name":null}""", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("name", "required"));
        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, path, """{"status":null}""", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("status", "required"));
        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, path, """{"id":"x"}""", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("id", "unknown_field"));
        Expect.Error(await Api.SendRawAsync(HttpMethod.Put, path, """{"description":"no name"}""", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("name", "required"));
        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, path, """{"name":"TAKEN"}""", session.AccessToken), HttpStatusCode.Conflict, "DUPLICATE_NAME");
        Expect.Error(await Api.SendRawAsync(HttpMethod.Put, path, """{"name":"Taken"}""", session.AccessToken), HttpStatusCode.Conflict, "DUPLICATE_NAME");
        Expect.Status(await Api.SendRawAsync(HttpMethod.Patch, path, """{"name":"A"}""", session.AccessToken), HttpStatusCode.OK);
    }

    [Fact]
    public async Task If_match_guards_put_patch_and_delete()
    {
        var session = await Api.RegisterAsync();
        var path = $"/api/v1/me/tasks/{(await CreateAsync(session, """{"name":"a"}""")).Data["id"]}";
        var stale = new Dictionary<string, string> { ["If-Match"] = "\"2\"" };
        var current = new Dictionary<string, string> { ["If-Match"] = "\"1\"" };

        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, path, """{"status":"done"}""", session.AccessToken, stale), HttpStatusCode.PreconditionFailed, "PRECONDITION_FAILED");
        Expect.Error(await Api.SendRawAsync(HttpMethod.Put, path, """{"name":"b"}""", session.AccessToken, stale), HttpStatusCode.PreconditionFailed, "PRECONDITION_FAILED");
        Expect.Error(await Api.SendAsync(HttpMethod.Delete, path, token: session.AccessToken, headers: stale), HttpStatusCode.PreconditionFailed, "PRECONDITION_FAILED");
        Expect.Status(await Api.SendRawAsync(HttpMethod.Patch, path, """{"status":"done"}""", session.AccessToken, current), HttpStatusCode.OK);
        Expect.Status(await Api.SendAsync(HttpMethod.Delete, path, token: session.AccessToken, headers: stale), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task At_most_100_active_tasks_and_archived_or_deleted_ones_do_not_count()
    {
        var session = await Api.RegisterAsync();
        var ids = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            ids.Add((await CreateAsync(session, $$"""{"name":"t{{i}}"}""")).Data["id"]!.GetValue<string>());
        }

        Expect.Error(await CreateAsync(session, """{"name":"one more"}"""), HttpStatusCode.UnprocessableEntity, "TASK_LIMIT_EXCEEDED");
        Expect.Status(await CreateAsync(session, """{"name":"archived","status":"archived"}"""), HttpStatusCode.Created);

        Expect.Status(await Api.SendRawAsync(HttpMethod.Patch, $"/api/v1/me/tasks/{ids[0]}", """{"status":"archived"}""", session.AccessToken), HttpStatusCode.OK);
        Expect.Status(await CreateAsync(session, """{"name":"fits again"}"""), HttpStatusCode.Created);
        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, $"/api/v1/me/tasks/{ids[0]}", """{"status":"todo"}""", session.AccessToken), HttpStatusCode.UnprocessableEntity, "TASK_LIMIT_EXCEEDED");

        Expect.Status(await Api.SendAsync(HttpMethod.Delete, $"/api/v1/me/tasks/{ids[1]}", token: session.AccessToken), HttpStatusCode.NoContent);
        Expect.Status(await CreateAsync(session, """{"name":"after delete"}"""), HttpStatusCode.Created);
    }

    [Fact]
    public async Task List_filters_sorts_and_pages()
    {
        var session = await Api.RegisterAsync();
        await CreateAsync(session, """{"name":"b","status":"done","due_at":"2030-01-02T00:00:00Z","metadata":{"category":"work","tags":["x"]}}""");
        await CreateAsync(session, """{"name":"a","metadata":{"category":"home","tags":["x","y"]}}""");
        await CreateAsync(session, """{"name":"c","due_at":"2030-01-01T00:00:00Z","metadata":{"category":"work"}}""");

        async Task<string[]> NamesAsync(string query)
        {
            var reply = await Api.GetAsync($"/api/v1/me/tasks{query}", session.AccessToken);
            Expect.Status(reply, HttpStatusCode.OK);
            return reply.Data.AsArray().Select(task => task!["name"]!.GetValue<string>()).ToArray();
        }

        Assert.Equal(["c", "a", "b"], await NamesAsync(""));
        Assert.Equal(["a", "b", "c"], await NamesAsync("?sort=name:asc"));
        Assert.Equal(["c", "b", "a"], await NamesAsync("?sort=due_at:asc"));
        Assert.Equal(["b", "c"], await NamesAsync("?category=work&sort=name"));
        Assert.Equal(["a", "b"], await NamesAsync("?tag=x&sort=name:asc"));
        Assert.Equal(["b"], await NamesAsync("?status=done"));
        Assert.Equal(["a"], await NamesAsync("?limit=1&offset=1"));

        var page = await Api.GetAsync("/api/v1/me/tasks?limit=2", session.AccessToken);
        Assert.Equal("""{"limit":2,"offset":0,"total":3,"has_more":true}""", page.Body!["pagination"]!.ToJsonString());
    }

    [Theory]
    [InlineData("?limit=0", "limit", "out_of_range")]
    [InlineData("?limit=101", "limit", "out_of_range")]
    [InlineData("?limit=abc", "limit", "invalid_type")]
    [InlineData("?limit=99999999999999", "limit", "invalid_type")]
    [InlineData("?offset=-1", "offset", "out_of_range")]
    [InlineData("?offset=1.5", "offset", "invalid_type")]
    [InlineData("?sort=priority", "sort", "invalid_value")]
    [InlineData("?sort=name:sideways", "sort", "invalid_value")]
    [InlineData("?status=later", "status", "invalid_value")]
    [InlineData("?limit=1&limit=2", "limit", "invalid_value")]
    public async Task List_query_validation(string query, string field, string issue)
    {
        var session = await Api.RegisterAsync();
        Expect.Error(await Api.GetAsync($"/api/v1/me/tasks{query}", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", (field, issue));
    }

    [Fact]
    public async Task Another_users_tasks_cannot_be_read_or_changed()
    {
        var owner = await Api.RegisterAsync();
        var other = await Api.RegisterAsync();
        var path = $"/api/v1/me/tasks/{(await CreateAsync(owner, """{"name":"private"}""")).Data["id"]}";

        Expect.Error(await Api.GetAsync(path, other.AccessToken), HttpStatusCode.NotFound, "NOT_FOUND");
        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, path, """{"name":"mine now"}""", other.AccessToken), HttpStatusCode.NotFound, "NOT_FOUND");
        Expect.Error(await Api.SendRawAsync(HttpMethod.Put, path, """{"name":"mine now"}""", other.AccessToken), HttpStatusCode.NotFound, "NOT_FOUND");
        Expect.Error(await Api.SendAsync(HttpMethod.Delete, path, token: other.AccessToken), HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Empty((await Api.GetAsync("/api/v1/me/tasks", other.AccessToken)).Data.AsArray());
        Assert.Equal("private", (await Api.GetAsync(path, owner.AccessToken)).Data["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Idempotency_key_replays_the_first_response_and_refuses_another_body()
    {
        var session = await Api.RegisterAsync();
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "create-once" };

        var first = await CreateAsync(session, """{"name":"once"}""", headers);
        var replay = await CreateAsync(session, """{"name":"once"}""", headers);
        var different = await CreateAsync(session, """{"name":"twice"}""", headers);

        Expect.Status(first, HttpStatusCode.Created);
        Expect.Status(replay, HttpStatusCode.Created);
        Assert.Equal(first.Data.ToJsonString(), replay.Data.ToJsonString());
        Expect.Error(different, HttpStatusCode.UnprocessableEntity, "IDEMPOTENCY_KEY_REUSED");
        Assert.Equal(1, (await Api.GetAsync("/api/v1/me/tasks", session.AccessToken)).Body!["pagination"]!["total"]!.GetValue<int>());

        var other = await Api.RegisterAsync();
        Expect.Status(await CreateAsync(other, """{"name":"twice"}""", headers), HttpStatusCode.Created); // keys are per user
        Expect.Error(await CreateAsync(session, """{"name":"x"}""", new Dictionary<string, string> { ["Idempotency-Key"] = new string('k', 129) }), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("Idempotency-Key", "invalid_format"));
    }
}

public sealed class TaskApiOnSqlite(SqliteGateway fixture) : TaskApiTests(fixture), IClassFixture<SqliteGateway>;

public sealed class TaskApiOnDynamoDb(DynamoDbGateway fixture) : TaskApiTests(fixture), IClassFixture<DynamoDbGateway>;
