using System.Net;
using System.Net.Http.Headers;
using System.Text;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>Malformed, oversized and unexpected input gets the right 4xx, never a 500; framework errors get the envelope too.</summary>
public abstract class HostileInputTests(GatewayFixture fixture)
{
    private Support.Api Api => fixture.Api;

    public static TheoryData<string, string> Routes => new()
    {
        { "POST", "/api/v1/auth/register" },
        { "POST", "/api/v1/auth/login" },
        { "POST", "/api/v1/auth/refresh" },
        { "POST", "/api/v1/auth/logout" },
        { "POST", "/api/v1/me/tasks" },
        { "PUT", "/api/v1/me/tasks/some-task" },
        { "PATCH", "/api/v1/me/tasks/some-task" },
        { "PATCH", "/api/v1/me" },
        { "POST", "/api/v1/me/results" },
    };

    private async Task<Reply> SendBytesAsync(string method, string path, byte[] body, string contentType = "application/json")
    {
        var session = await Api.RegisterAsync();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await Api.SendContentAsync(new HttpMethod(method), path, content, session.AccessToken);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Invalid_json_is_400_invalid_json(string method, string path)
    {
        foreach (var body in new[] { "{", "{\"name\":}", "nul", "{\"a\":1}{", "{'name':'x'}", "{\"name\":\"x\",}", "\u0000" })
        {
            Expect.Error(await SendBytesAsync(method, path, Encoding.UTF8.GetBytes(body)), HttpStatusCode.BadRequest, "INVALID_JSON");
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Invalid_utf8_is_400_invalid_json(string method, string path) =>
        Expect.Error(await SendBytesAsync(method, path, [.. "{\"name\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8]), HttpStatusCode.BadRequest, "INVALID_JSON");

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_lone_surrogate_escape_as_a_key_or_value_is_400_invalid_json(string method, string path)
    {
        string[] bodies =
        [
            """{"\udc00":1}""", """{"name":"\udc00"}""", """{"email":"a\ud800@example.com","password":"x"}""",
            """{"attributes":{"a":["\ud83d"]}}""", """{"attributes":{"\udfffkey":"x"}}""", """{"metadata":{"tags":["x\udc00"]}}""",
            """{"refresh_token":"\ude00\ud83d"}""", "\"\\udc00\"",
        ];
        foreach (var body in bodies)
        {
            Expect.Error(await SendBytesAsync(method, path, Encoding.UTF8.GetBytes(body)), HttpStatusCode.BadRequest, "INVALID_JSON");
        }
    }

    [Fact]
    public async Task An_escaped_surrogate_pair_is_text_like_any_other()
    {
        var reply = await SendBytesAsync("PATCH", "/api/v1/me", """{"display_name":"smile \ud83d\ude00","attributes":{"\ud83d\ude00":"\ud83d\ude00"}}"""u8.ToArray());

        Expect.Status(reply, HttpStatusCode.OK);
        Assert.Equal("smile \U0001F600", reply.Data["display_name"]!.GetValue<string>());
        Assert.Equal("\U0001F600", reply.Data["attributes"]!["\U0001F600"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Duplicate_properties_are_400_invalid_json(string method, string path) =>
        Expect.Error(await SendBytesAsync(method, path, "{\"name\":\"a\",\"name\":\"b\"}"u8.ToArray()), HttpStatusCode.BadRequest, "INVALID_JSON");

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Bodies_over_64_KiB_are_413(string method, string path)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"name\":\"{new string('x', 64 * 1024)}\"}}");
        Expect.Error(await SendBytesAsync(method, path, body), HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task A_chunked_body_over_64_KiB_is_413()
    {
        var session = await Api.RegisterAsync();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($"{{\"name\":\"{new string('x', 100 * 1024)}\"}}")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/me/tasks") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);

        using var response = await Api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("PAYLOAD_TOO_LARGE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Non_json_media_types_are_415(string method, string path)
    {
        foreach (var contentType in new[] { "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/xml" })
        {
            Expect.Error(await SendBytesAsync(method, path, "{}"u8.ToArray(), contentType), HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        }
    }

    [Fact]
    public async Task Deep_nesting_is_refused_without_a_500()
    {
        var deep = new string('[', 5000) + new string(']', 5000);
        Expect.Error(await SendBytesAsync("PATCH", "/api/v1/me", Encoding.UTF8.GetBytes($"{{\"attributes\":{{\"a\":{deep}}}}}")), HttpStatusCode.BadRequest, "INVALID_JSON");
        var nested = string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40);
        Expect.Error(await SendBytesAsync("PATCH", "/api/v1/me", Encoding.UTF8.GetBytes($"{{\"attributes\":{nested}}}")), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("attributes", "too_deep"));
    }

    [Fact]
    public async Task Wrong_json_types_everywhere_are_400_with_details()
    {
        string[] bodies =
        [
            "[]", "\"text\"", "42", "null", "true",
            """{"name":{}}""", """{"name":true}""", """{"name":"x","description":[]}""", """{"name":"x","status":1}""",
            """{"name":"x","metadata":"m"}""", """{"name":"x","metadata":{"tags":[1,2]}}""", """{"name":"x","metadata":{"category":{}}}""",
            """{"name":"x","due_at":"2030-13-45T99:00:00Z"}""", """{"name":"x","due_at":true}""",
        ];
        foreach (var body in bodies)
        {
            var reply = await SendBytesAsync("POST", "/api/v1/me/tasks", Encoding.UTF8.GetBytes(body));
            Expect.Status(reply, HttpStatusCode.BadRequest);
            Assert.Equal("VALIDATION_ERROR", reply.ErrorCode);
            Assert.NotEmpty(reply.Body!["error"]!["details"]!.AsArray());
        }
    }

    [Fact]
    public async Task Random_bodies_never_give_500()
    {
        var session = await Api.RegisterAsync();
        var random = new Random(20261122);
        string[] fragments =
        [
            "{", "}", "[", "]", ",", ":", "\"name\"", "\"metadata\"", "\"tags\"", "\"attributes\"", "\"due_at\"", "\"status\"",
            "null", "true", "1e309", "-0", "\"\\ud800\"", "\"x\"", "\"2030-01-01T00:00:00Z\"", "\"\\u0000\"", "{}", "[]",
        ];
        string[] paths = ["/api/v1/me/tasks", "/api/v1/me", "/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/refresh"];
        for (var i = 0; i < 300; i++)
        {
            var body = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => fragments[random.Next(fragments.Length)]));
            var path = paths[i % paths.Length];
            var method = path == "/api/v1/me" ? HttpMethod.Patch : HttpMethod.Post;
            var reply = await Api.SendRawAsync(method, path, body, session.AccessToken);
            Assert.True((int)reply.Status < 500, $"{method} {path} {body}: {(int)reply.Status} {reply.Body?.ToJsonString()}");
            Assert.NotNull(reply.Body);
        }
    }

    [Fact]
    public async Task Odd_ids_and_paths_never_give_500()
    {
        var session = await Api.RegisterAsync();
        foreach (var id in new[] { "x", "..%2F..%2Fetc", new string('9', 5000), "%F0%9F%92%A9", "' OR 1=1 --" })
        {
            var reply = await Api.GetAsync($"/api/v1/me/tasks/{id}", session.AccessToken);
            Assert.True(reply.Status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{id}: {(int)reply.Status}");
            Assert.True(reply.ErrorCode is not null, $"{id}: {(int)reply.Status} {reply.Body?.ToJsonString()}");
        }

        // Kestrel refuses a NUL in the path while parsing, before any middleware runs: a bare 400, still no 500.
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.GetAsync("/api/v1/me/tasks/%00", session.AccessToken)).Status);
    }

    [Fact]
    public async Task Framework_errors_use_the_envelope()
    {
        var session = await Api.RegisterAsync();
        Expect.Error(await Api.GetAsync("/api/v1/nothing-here", session.AccessToken), HttpStatusCode.NotFound, "NOT_FOUND");
        Expect.Error(await Api.GetAsync("/nothing", null), HttpStatusCode.NotFound, "NOT_FOUND");
        Expect.Error(await Api.SendAsync(HttpMethod.Put, "/api/v1/me", token: session.AccessToken), HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
        Expect.Error(await Api.SendAsync(HttpMethod.Delete, "/api/v1/auth/login"), HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
        Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login"), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("body", "required"));
    }

    [Fact]
    public async Task Health_openapi_and_docs_answer()
    {
        Assert.Equal("""{"status":"ok"}""", (await Api.GetAsync("/health", null)).Body!.ToJsonString());
        Expect.Status(await Api.GetAsync("/health/ready", null), HttpStatusCode.OK);
        var openApi = await Api.GetAsync("/openapi/v1.json", null);
        Expect.Status(openApi, HttpStatusCode.OK);
        Assert.NotNull(openApi.Body!["paths"]!["/api/v1/me/tasks"]);
        using var docs = await Api.Client.GetAsync("/docs/index.html");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
    }
}

public sealed class HostileInputOnSqlite(SqliteGateway fixture) : HostileInputTests(fixture), IClassFixture<SqliteGateway>;

public sealed class HostileInputOnDynamoDb(DynamoDbGateway fixture) : HostileInputTests(fixture), IClassFixture<DynamoDbGateway>;
