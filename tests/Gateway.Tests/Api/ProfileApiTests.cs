using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

public abstract class ProfileApiTests(GatewayFixture fixture)
{
    private Support.Api Api => fixture.Api;

    [Fact]
    public async Task Get_me_returns_the_profile_with_its_etag()
    {
        var session = await Api.RegisterAsync();

        var reply = await Api.GetAsync("/api/v1/me", session.AccessToken);

        Expect.Status(reply, HttpStatusCode.OK);
        Assert.Equal("\"1\"", reply.ETag);
        var data = reply.Data.AsObject();
        Assert.Equal(["id", "email", "display_name", "role", "attributes", "version", "created_at", "updated_at"], data.Select(property => property.Key));
        Assert.Equal(session.UserId, data["id"]!.GetValue<string>());
        Assert.Equal("{}", data["attributes"]!.ToJsonString());
    }

    [Fact]
    public async Task Patch_applies_a_json_merge_patch_to_attributes()
    {
        var session = await Api.RegisterAsync();
        await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"display_name":"Ann","attributes":{"theme":"dark","prefs":{"a":1,"b":2},"gone":true}}""", session.AccessToken);

        var reply = await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"attributes":{"prefs":{"b":null,"c":3},"gone":null}}""", session.AccessToken);

        Expect.Status(reply, HttpStatusCode.OK);
        Assert.Equal("\"3\"", reply.ETag);
        Assert.Equal("Ann", reply.Data["display_name"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"theme":"dark","prefs":{"a":1,"c":3}}"""), reply.Data["attributes"]), reply.Data["attributes"]!.ToJsonString());
        Assert.Equal(3, reply.Data["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Patch_with_a_stale_if_match_is_412_and_changes_nothing()
    {
        var session = await Api.RegisterAsync();
        var headers = new Dictionary<string, string> { ["If-Match"] = "\"1\"" };
        Expect.Status(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"display_name":"one"}""", session.AccessToken, headers), HttpStatusCode.OK);

        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"display_name":"two"}""", session.AccessToken, headers), HttpStatusCode.PreconditionFailed, "PRECONDITION_FAILED");
        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"display_name":"two"}""", session.AccessToken, new Dictionary<string, string> { ["If-Match"] = "garbage" }), HttpStatusCode.PreconditionFailed, "PRECONDITION_FAILED");
        Assert.Equal("one", (await Api.GetAsync("/api/v1/me", session.AccessToken)).Data["display_name"]!.GetValue<string>());
    }

    public static TheoryData<string, string, string> InvalidPatches => new()
    {
        { """{"attributes":[1,2]}""", "attributes", "invalid_type" },
        { """{"attributes":"x"}""", "attributes", "invalid_type" },
        { """{"attributes":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{}}}}}}}}}}""", "attributes", "too_deep" },
        { $$$"""{"attributes":{"big":"{{{new string('x', 32 * 1024)}}}"}}""", "attributes", "too_large" },
        { $$"""{"display_name":"{{new string('n', 101)}}"}""", "display_name", "too_long" },
        { """{"display_name":5}""", "display_name", "invalid_type" },
        { """{"email":"other@example.com"}""", "email", "unknown_field" },
        { """{"role":"admin"}""", "role", "unknown_field" },
        { """{"version":7}""", "version", "unknown_field" },
    };

    [Theory]
    [MemberData(nameof(InvalidPatches))]
    public async Task Patch_validation(string body, string field, string issue)
    {
        var session = await Api.RegisterAsync();
        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", body, session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", (field, issue));
    }

    [Fact]
    public async Task Merged_attributes_over_32_KiB_are_refused_even_when_each_patch_is_small()
    {
        var session = await Api.RegisterAsync();
        var chunk = new string('x', 20 * 1024);
        Expect.Status(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", $$$"""{"attributes":{"a":"{{{chunk}}}"}}""", session.AccessToken), HttpStatusCode.OK);

        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", $$$"""{"attributes":{"b":"{{{chunk}}}"}}""", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("attributes", "too_large"));
    }

    [Fact]
    public async Task The_attributes_limit_counts_utf8_bytes_of_the_compact_form_not_escapes_or_whitespace()
    {
        var session = await Api.RegisterAsync();
        var euros = new string('\u20AC', 6000); // 18,000 UTF-8 bytes; 36,000 as \u20ac escapes
        var escaped = string.Concat(Enumerable.Repeat("\\u20ac", 6000));
        var padded = $$$"""{"attributes" : {  "w" : "{{{new string('x', 20 * 1024)}}}"{{{new string(' ', 30 * 1024)}}}}}""";

        Expect.Status(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", $$$"""{"attributes":{"e":"{{{euros}}}"}}""", session.AccessToken), HttpStatusCode.OK);
        Expect.Status(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", $$$"""{"attributes":{"e":"{{{escaped}}}"}}""", session.AccessToken), HttpStatusCode.OK);
        Expect.Status(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"attributes":null}""", session.AccessToken), HttpStatusCode.OK);
        Expect.Status(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", padded, session.AccessToken), HttpStatusCode.OK);
        Assert.Equal(euros.Length, (await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", $$$"""{"attributes":{"w":null,"e":"{{{euros}}}"}}""", session.AccessToken)).Data["attributes"]!["e"]!.GetValue<string>().Length);
    }

    [Fact]
    public async Task The_attributes_limit_is_exactly_32_KiB_of_compact_utf8()
    {
        var session = await Api.RegisterAsync();
        // {"a":"..."} is 8 bytes around the value; an emoji is 4 UTF-8 bytes, a quote escaped is 2.
        var fits = new string('x', 32 * 1024 - 8 - 4 - 2) + "\U0001F600" + "\\\"";

        Expect.Status(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", $$$"""{"attributes":{"a":"{{{fits}}}"}}""", session.AccessToken), HttpStatusCode.OK);
        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", $$$"""{"attributes":{"a":"{{{fits}}}x"}}""", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("attributes", "too_large"));
    }

    [Fact]
    public async Task Export_holds_profile_tasks_including_deleted_results_and_audit()
    {
        var session = await Api.RegisterAsync();
        var task = await Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = "to delete" }, session.AccessToken);
        await Api.SendAsync(HttpMethod.Delete, $"/api/v1/me/tasks/{task.Data["id"]}", token: session.AccessToken);
        await Api.SendAsync(HttpMethod.Post, "/api/v1/me/results", token: session.AccessToken);

        var export = await Api.GetAsync("/api/v1/me/export", session.AccessToken);

        Expect.Status(export, HttpStatusCode.OK);
        var data = export.Data;
        Assert.Equal(session.UserId, data["profile"]!["id"]!.GetValue<string>());
        Assert.NotNull(Assert.Single(data["tasks"]!.AsArray())!["deleted_at"]);
        Assert.Single(data["results"]!.AsArray());
        Assert.Equal(["result.generated", "task.deleted", "task.created", "user.registered"], data["audit"]!.AsArray().Select(entry => entry!["action"]!.GetValue<string>()));
        Assert.DoesNotContain("password", export.Body!.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Erase_removes_the_account_and_frees_the_email()
    {
        var session = await Api.RegisterAsync();
        await Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = "mine" }, session.AccessToken);

        Expect.Status(await Api.SendAsync(HttpMethod.Delete, "/api/v1/me", token: session.AccessToken), HttpStatusCode.NoContent);

        Expect.Error(await Api.GetAsync("/api/v1/me", session.AccessToken), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = session.Email, ["password"] = Support.Api.Password }), HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        var again = await Api.RegisterAsync(session.Email);
        Assert.NotEqual(session.UserId, again.UserId);
        Assert.Equal(0, (await Api.GetAsync("/api/v1/me/tasks", again.AccessToken)).Body!["pagination"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Erase_honours_if_match()
    {
        var session = await Api.RegisterAsync();
        Expect.Error(await Api.SendAsync(HttpMethod.Delete, "/api/v1/me", token: session.AccessToken, headers: new Dictionary<string, string> { ["If-Match"] = "\"9\"" }), HttpStatusCode.PreconditionFailed, "PRECONDITION_FAILED");
        Expect.Status(await Api.GetAsync("/api/v1/me", session.AccessToken), HttpStatusCode.OK);
    }
}

public sealed class ProfileApiOnSqlite(SqliteGateway fixture) : ProfileApiTests(fixture), IClassFixture<SqliteGateway>;

public sealed class ProfileApiOnDynamoDb(DynamoDbGateway fixture) : ProfileApiTests(fixture), IClassFixture<DynamoDbGateway>;
