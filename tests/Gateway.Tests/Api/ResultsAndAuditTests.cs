using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

public abstract class ResultsAndAuditTests(GatewayFixture fixture)
{
    private Support.Api Api => fixture.Api;

    [Fact]
    public async Task Results_are_generated_once_per_data_version()
    {
        var session = await Api.RegisterAsync();
        Expect.Error(await Api.GetAsync("/api/v1/me/results/latest", session.AccessToken), HttpStatusCode.NotFound, "NOT_FOUND");
        await Api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", """{"name":"late","due_at":"2000-01-01T00:00:00Z","metadata":{"category":"c","tags":["t"]}}""", session.AccessToken);
        await Api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", """{"name":"done","status":"done"}""", session.AccessToken);

        var first = await Api.SendAsync(HttpMethod.Post, "/api/v1/me/results", token: session.AccessToken);
        var same = await Api.SendAsync(HttpMethod.Post, "/api/v1/me/results", token: session.AccessToken);

        Expect.Status(first, HttpStatusCode.Created);
        Expect.Status(same, HttpStatusCode.OK);
        Assert.Equal(first.Data.ToJsonString(), same.Data.ToJsonString());
        var result = first.Data.AsObject();
        Assert.Equal(["id", "data_version", "generated_at", "summary"], result.Select(property => property.Key));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"tasks_total":2,"by_status":{"todo":1,"in_progress":0,"done":1,"archived":0},"completion_rate":0.5,"overdue":1,"by_category":{"c":1},"by_tag":{"t":1}}"""),
            result["summary"]), result["summary"]!.ToJsonString());

        await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"display_name":"changed"}""", session.AccessToken);
        var next = await Api.SendAsync(HttpMethod.Post, "/api/v1/me/results", token: session.AccessToken);
        Expect.Status(next, HttpStatusCode.Created);
        Assert.True(next.Data["data_version"]!.GetValue<long>() > first.Data["data_version"]!.GetValue<long>());

        Assert.Equal(next.Data["id"]!.GetValue<string>(), (await Api.GetAsync("/api/v1/me/results/latest", session.AccessToken)).Data["id"]!.GetValue<string>());
        var list = await Api.GetAsync("/api/v1/me/results?limit=1", session.AccessToken);
        Assert.Equal(next.Data["id"]!.GetValue<string>(), list.Data[0]!["id"]!.GetValue<string>());
        Assert.Equal("""{"limit":1,"offset":0,"total":2,"has_more":true}""", list.Body!["pagination"]!.ToJsonString());
        Expect.Error(await Api.GetAsync("/api/v1/me/results?limit=0", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("limit", "out_of_range"));
    }

    [Fact]
    public async Task The_last_50_results_are_kept()
    {
        var session = await Api.RegisterAsync();
        string? firstId = null;
        for (var i = 0; i < 51; i++)
        {
            await Api.SendAsync(HttpMethod.Patch, "/api/v1/me", new JsonObject { ["display_name"] = $"v{i}" }, session.AccessToken);
            var generated = await Api.SendAsync(HttpMethod.Post, "/api/v1/me/results", token: session.AccessToken);
            Expect.Status(generated, HttpStatusCode.Created);
            firstId ??= generated.Data["id"]!.GetValue<string>();
        }

        var list = await Api.GetAsync("/api/v1/me/results?limit=100", session.AccessToken);
        Assert.Equal(50, list.Body!["pagination"]!["total"]!.GetValue<int>());
        Assert.DoesNotContain(firstId, list.Data.AsArray().Select(result => result!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_client_cannot_set_fields_of_a_result()
    {
        var session = await Api.RegisterAsync();
        Expect.Error(await Api.SendRawAsync(HttpMethod.Post, "/api/v1/me/results", """{"status":"done","id":"mine"}""", session.AccessToken),
            HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("status", "unknown_field"), ("id", "unknown_field"));
        Expect.Status(await Api.SendRawAsync(HttpMethod.Post, "/api/v1/me/results", "{}", session.AccessToken), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Audit_lists_every_change_newest_first_with_the_request_id()
    {
        var session = await Api.RegisterAsync();
        var headers = new Dictionary<string, string> { ["X-Request-Id"] = "client-req.42" };
        var task = await Api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", """{"name":"a"}""", session.AccessToken, headers);
        Assert.Equal("client-req.42", task.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("client-req.42", task.Body!["meta"]!["request_id"]!.GetValue<string>());
        await Api.SendRawAsync(HttpMethod.Patch, $"/api/v1/me/tasks/{task.Data["id"]}", """{"name":"b"}""", session.AccessToken);
        await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"attributes":{"k":1}}""", session.AccessToken);
        await Api.SendAsync(HttpMethod.Delete, $"/api/v1/me/tasks/{task.Data["id"]}", token: session.AccessToken);
        await Api.SendAsync(HttpMethod.Post, "/api/v1/me/results", token: session.AccessToken);

        var audit = await Api.GetAsync("/api/v1/me/audit", session.AccessToken);

        Expect.Status(audit, HttpStatusCode.OK);
        var entries = audit.Data.AsArray();
        Assert.Equal(["result.generated", "task.deleted", "profile.updated", "task.updated", "task.created", "user.registered"], entries.Select(entry => entry!["action"]!.GetValue<string>()));
        Assert.Equal(["seq", "action", "at", "request_id", "changes"], entries[0]!.AsObject().Select(property => property.Key));
        Assert.Equal("client-req.42", entries[4]!["request_id"]!.GetValue<string>());
        Assert.Equal("""{"old":"a","new":"b"}""", entries[3]!["changes"]!["name"]!.ToJsonString());
        Assert.Equal("""{"old":null,"new":1}""", entries[2]!["changes"]!["attributes.k"]!.ToJsonString());
        var seqs = entries.Select(entry => entry!["seq"]!.GetValue<long>()).ToList();
        Assert.Equal(seqs.OrderDescending(), seqs);
        Assert.DoesNotContain("password", audit.Body!.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(session.RefreshToken.Split('.')[2], audit.Body.ToJsonString(), StringComparison.Ordinal);

        var page = await Api.GetAsync("/api/v1/me/audit?limit=2&offset=4", session.AccessToken);
        Assert.Equal(["task.created", "user.registered"], page.Data.AsArray().Select(entry => entry!["action"]!.GetValue<string>()));
        Assert.Equal("""{"limit":2,"offset":4,"total":6,"has_more":false}""", page.Body!["pagination"]!.ToJsonString());
    }

    [Fact]
    public async Task Audit_pages_across_more_than_one_hundred_entries_match_the_export()
    {
        var session = await Api.RegisterAsync();
        for (var i = 0; i < 130; i++)
        {
            Expect.Status(await Api.SendAsync(HttpMethod.Patch, "/api/v1/me", new JsonObject { ["display_name"] = $"name {i}" }, session.AccessToken), HttpStatusCode.OK);
            if (i % 10 == 0)
            {
                Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = session.Email, ["password"] = Support.Api.Password }), HttpStatusCode.OK);
            }
        }

        var all = (await Api.GetAsync("/api/v1/me/export", session.AccessToken)).Data["audit"]!.AsArray().Select(entry => entry!["seq"]!.GetValue<long>()).ToList();
        Assert.Equal(131, all.Count);
        foreach (var (limit, offset) in new[] { (100, 0), (100, 100), (20, 25), (7, 95), (10, 128), (10, 131) })
        {
            var page = await Api.GetAsync($"/api/v1/me/audit?limit={limit}&offset={offset}", session.AccessToken);

            Assert.Equal(all.Skip(offset).Take(limit), page.Data.AsArray().Select(entry => entry!["seq"]!.GetValue<long>()));
            Assert.Equal(131, page.Body!["pagination"]!["total"]!.GetValue<int>());
            Assert.Equal(offset + limit < 131, page.Body["pagination"]!["has_more"]!.GetValue<bool>());
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890")]
    public async Task Invalid_client_request_ids_are_replaced(string requestId)
    {
        var reply = await Api.SendAsync(HttpMethod.Get, "/health", headers: new Dictionary<string, string> { ["X-Request-Id"] = requestId });
        var echoed = reply.Headers.GetValues("X-Request-Id").Single();
        Assert.NotEqual(requestId, echoed);
        Assert.Matches("^[A-Za-z0-9._-]{1,128}$", echoed);
    }

    [Fact]
    public async Task A_correlation_id_is_kept_as_the_request_id()
    {
        var reply = await Api.SendAsync(HttpMethod.Get, "/nowhere", headers: new Dictionary<string, string> { ["X-Correlation-Id"] = "corr-1" });
        Assert.Equal("corr-1", reply.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("corr-1", reply.Body!["meta"]!["request_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Requests_without_an_id_get_distinct_generated_ones()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var request = 0; request < 20; request++)
        {
            var reply = await Api.SendAsync(HttpMethod.Get, "/health");
            ids.Add(reply.Headers.GetValues("X-Request-Id").Single());
        }

        Assert.Equal(20, ids.Count);
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));
    }
}

public sealed class ResultsAndAuditOnSqlite(SqliteGateway fixture) : ResultsAndAuditTests(fixture), IClassFixture<SqliteGateway>;

public sealed class ResultsAndAuditOnDynamoDb(DynamoDbGateway fixture) : ResultsAndAuditTests(fixture), IClassFixture<DynamoDbGateway>;
