using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>A query parameter a route does not document is refused like an unknown body field (api.md), on every route.</summary>
public sealed class UnknownQueryParameterTests(SqliteGateway fixture) : IClassFixture<SqliteGateway>
{
    private Support.Api Api => fixture.Api;

    [Theory]
    [InlineData("/api/v1/me/tasks")]
    [InlineData("/api/v1/me/audit")]
    [InlineData("/api/v1/me/results")]
    public async Task A_list_refuses_an_unknown_parameter_by_name_and_accepts_its_own(string path)
    {
        var session = await Api.RegisterAsync();

        Expect.Error(await Api.GetAsync($"{path}?page=2", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("page", "unknown_parameter"));
        Expect.Error(await Api.GetAsync($"{path}?limit=5&Offset=1&page=", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("Offset", "unknown_parameter"), ("page", "unknown_parameter"));
        var paged = await Api.GetAsync($"{path}?limit=5&offset=0", session.AccessToken);
        Expect.Status(paged, HttpStatusCode.OK);
        Assert.Equal(5, paged.Body!["pagination"]!["limit"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_task_list_accepts_every_filter_it_documents()
    {
        var session = await Api.RegisterAsync();
        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", JsonNode.Parse("""{"name":"x","metadata":{"category":"c","tags":["t"]}}"""), session.AccessToken), HttpStatusCode.Created);

        var reply = await Api.GetAsync("/api/v1/me/tasks?limit=5&offset=0&status=todo&category=c&tag=t&sort=name:asc", session.AccessToken);

        Expect.Status(reply, HttpStatusCode.OK);
        Assert.Single(reply.Data.AsArray());
    }

    [Fact]
    public async Task Without_a_token_the_answer_is_401_before_the_parameters_are_looked_at() =>
        Expect.Error(await Api.GetAsync("/api/v1/me/tasks?page=2", null), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");

    /// <summary>
    /// Every route of the OpenAPI document, called with a parameter it does not have: refused before its handler runs
    /// (so no body and any id will do), with a token of an admin so that no route refuses the caller first.
    /// </summary>
    [Fact]
    public async Task Every_documented_route_refuses_an_undocumented_parameter()
    {
        var admin = await Api.RegisterAsync("admin@example.com");
        var document = (await Api.GetAsync("/openapi/v1.json", null)).Body!;
        var routes = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Where(method => method.Key is "get" or "put" or "post" or "patch" or "delete").Select(method => (Path: path.Key, Method: method.Key)))
            .ToList();
        Assert.NotEmpty(routes);

        foreach (var (path, method) in routes)
        {
            var reply = await Api.SendRawAsync(new HttpMethod(method.ToUpperInvariant()), path.Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal) + "?unknown=1", null, admin.AccessToken);

            Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.ErrorCode == "VALIDATION_ERROR", $"{method} {path}: {(int)reply.Status} {reply.Body?.ToJsonString()}");
            Assert.Equal("unknown", reply.Body!["error"]!["details"]![0]!["field"]!.GetValue<string>());
            Assert.Equal("unknown_parameter", reply.Body!["error"]!["details"]![0]!["issue"]!.GetValue<string>());
        }
    }
}
