using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>The concurrency claims of the API, over HTTP, each several times in a row.</summary>
public abstract class ConcurrencyTests(GatewayFixture fixture)
{
    private const int Rounds = 3;

    private Support.Api Api => fixture.Api;

    [Fact]
    public async Task Concurrent_result_generation_stores_exactly_one_result()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var session = await Api.RegisterAsync();
            await Api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", """{"name":"a"}""", session.AccessToken);

            var replies = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Api.SendAsync(HttpMethod.Post, "/api/v1/me/results", token: session.AccessToken)));

            Assert.Single(replies, reply => reply.Status == HttpStatusCode.Created);
            Assert.All(replies, reply => Assert.Contains(reply.Status, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
            Assert.Single(replies.Select(reply => reply.Data["id"]!.GetValue<string>()).Distinct());
            Assert.Equal(1, (await Api.GetAsync("/api/v1/me/results", session.AccessToken)).Body!["pagination"]!["total"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Concurrent_task_creations_give_exactly_100_created_and_50_over_the_limit()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var session = await Api.RegisterAsync();

            var replies = await Task.WhenAll(Enumerable.Range(0, 150).Select(i =>
                Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = $"task {i}" }, session.AccessToken)));

            Assert.Equal(100, replies.Count(reply => reply.Status == HttpStatusCode.Created));
            Assert.Equal(50, replies.Count(reply => reply.Status == HttpStatusCode.UnprocessableEntity && reply.ErrorCode == "TASK_LIMIT_EXCEEDED"));
            var listed = await Api.GetAsync("/api/v1/me/tasks?limit=100", session.AccessToken);
            Assert.Equal(100, listed.Body!["pagination"]!["total"]!.GetValue<int>());
            Assert.Equal(100, listed.Data.AsArray().Select(task => task!["name"]!.GetValue<string>().ToUpperInvariant()).Distinct().Count());
        }
    }

    [Fact]
    public async Task Concurrent_same_name_creations_create_one_task()
    {
        var session = await Api.RegisterAsync();

        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = i % 2 == 0 ? "Same" : "SAME" }, session.AccessToken)));

        Assert.Single(replies, reply => reply.Status == HttpStatusCode.Created);
        Assert.Equal(49, replies.Count(reply => reply.ErrorCode == "DUPLICATE_NAME"));
    }

    [Fact]
    public async Task Concurrent_patches_with_one_if_match_give_one_200_and_49_412()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var session = await Api.RegisterAsync();
            var task = await Api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", """{"name":"contended"}""", session.AccessToken);
            var headers = new Dictionary<string, string> { ["If-Match"] = task.ETag! };

            var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
                Api.SendAsync(HttpMethod.Patch, $"/api/v1/me/tasks/{task.Data["id"]}", new JsonObject { ["description"] = $"writer {i}" }, session.AccessToken, headers)));

            Assert.Equal(1, replies.Count(reply => reply.Status == HttpStatusCode.OK));
            Assert.Equal(49, replies.Count(reply => reply.Status == HttpStatusCode.PreconditionFailed && reply.ErrorCode == "PRECONDITION_FAILED"));

            var profileReplies = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
                Api.SendAsync(HttpMethod.Patch, "/api/v1/me", new JsonObject { ["display_name"] = $"writer {i}" }, session.AccessToken, new Dictionary<string, string> { ["If-Match"] = "\"1\"" })));
            Assert.Equal(1, profileReplies.Count(reply => reply.Status == HttpStatusCode.OK));
            Assert.Equal(49, profileReplies.Count(reply => reply.Status == HttpStatusCode.PreconditionFailed));
        }
    }
}

public sealed class ConcurrencyOnSqlite(SqliteGateway fixture) : ConcurrencyTests(fixture), IClassFixture<SqliteGateway>;

public sealed class ConcurrencyOnDynamoDb(DynamoDbGateway fixture) : ConcurrencyTests(fixture), IClassFixture<DynamoDbGateway>;
