using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>
/// Errors the server raises itself (Kestrel's 400/408/414/431, a missing OpenAPI document) come in the error envelope,
/// and every response carries the hardening headers of api.md.
/// </summary>
public sealed class ResponseHardeningTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-hardening-").FullName;
    private GatewayHost _host = null!;

    private Support.Api Api => new(_host.Client);

    public async Task InitializeAsync() =>
        _host = await GatewayHost.StartAsync(
            GatewayHost.BaseSettings(_folder),
            builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1)));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    // Requests over a limit stop just past it and never end: bytes the server has not read when it closes would make the
    // connection reset, and the client lose the answer.
    public static TheoryData<string, int, string> ServerErrors => new()
    {
        { $"GET /api/v1/me?q={new string('x', 8 * 1024)}", 414, "URI_TOO_LONG" },
        { $"GET /health HTTP/1.1\r\nHost: a\r\nX-Big: {new string('x', 32 * 1024)}", 431, "HEADERS_TOO_LARGE" },
        { "GET /health HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n", 400, "BAD_REQUEST" },
        { "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "BAD_REQUEST" },
        { "GET  /health HTTP/1.1\r\nHost: a\r\n\r\n", 400, "BAD_REQUEST" },
    };

    [Theory]
    [MemberData(nameof(ServerErrors))]
    public async Task Errors_kestrel_raises_use_the_envelope(string request, int status, string code) =>
        ExpectEnvelope(await RawHttp.SendAsync(_host.Address, request), status, code);

    [Fact]
    public async Task A_request_whose_headers_never_end_gets_408_in_the_envelope() =>
        ExpectEnvelope(await RawHttp.SendAsync(_host.Address, "GET /health HTTP/1.1\r\nHost: a\r\n"), 408, "REQUEST_TIMEOUT");

    [Fact]
    public async Task A_missing_openapi_document_is_a_404_envelope_that_echoes_nothing()
    {
        using var response = await _host.Client.GetAsync("/openapi/%3Cscript%3Ealert(1)%3C%2Fscript%3E.json");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("NOT_FOUND", JsonNode.Parse(body)!["error"]!["code"]!.GetValue<string>());
        Assert.DoesNotContain("script", body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Every_response_has_nosniff_and_every_authenticated_or_token_response_has_no_store()
    {
        var session = await Api.RegisterAsync();
        var login = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = session.Email, ["password"] = Support.Api.Password });
        var refresh = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new JsonObject { ["refresh_token"] = session.RefreshToken });
        Reply[] tokenOrAuthenticated =
        [
            login, refresh,
            await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", new JsonObject { ["email"] = Support.Api.NewEmail(), ["password"] = Support.Api.Password }),
            await Api.GetAsync("/api/v1/me", session.AccessToken),
            await Api.GetAsync("/api/v1/me/tasks", session.AccessToken),
            await Api.GetAsync("/api/v1/me/tasks/missing", session.AccessToken),
            await Api.GetAsync("/api/v1/me", "not-a-token"),
        ];
        foreach (var reply in tokenOrAuthenticated)
        {
            Assert.Equal("no-store", reply.Headers.CacheControl?.ToString());
            Assert.Equal("nosniff", reply.Headers.GetValues("X-Content-Type-Options").Single());
        }

        foreach (var path in new[] { "/health", "/health/ready", "/metrics", "/openapi/v1.json", "/docs/index.html", "/dashboard", "/nothing" })
        {
            using var response = await _host.Client.GetAsync(path);
            Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var values) && values.Single() == "nosniff", $"{path}: {(int)response.StatusCode}");
        }

        var raw = await RawHttp.SendAsync(_host.Address, "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
        Assert.Equal("nosniff", raw.Headers["x-content-type-options"]);
    }

    [Fact]
    public async Task With_cors_on_every_response_varies_by_origin()
    {
        var session = await Api.RegisterAsync();
        var allowed = await Api.SendAsync(HttpMethod.Get, "/api/v1/me", token: session.AccessToken, headers: new Dictionary<string, string> { ["Origin"] = "https://app.example.com" });
        var other = await Api.SendAsync(HttpMethod.Get, "/api/v1/me", token: session.AccessToken, headers: new Dictionary<string, string> { ["Origin"] = "https://evil.example.net" });
        var none = await Api.GetAsync("/api/v1/me", session.AccessToken);
        using var health = await _host.Client.GetAsync("/health");

        foreach (var headers in new[] { allowed.Headers, other.Headers, none.Headers, health.Headers })
        {
            Assert.Equal(["Origin"], headers.Vary);
        }
    }

    [Fact]
    public async Task Www_authenticate_names_the_scheme_and_never_why_a_token_failed()
    {
        var session = await Api.RegisterAsync();
        foreach (var token in new[] { session.AccessToken[..^4] + "AAAA", "not-a-token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." })
        {
            var reply = await Api.GetAsync("/api/v1/me", token);
            Expect.Error(reply, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
            Assert.Equal("Bearer", reply.Headers.WwwAuthenticate.Single().ToString());
        }

        Assert.Equal("Bearer", (await Api.GetAsync("/api/v1/me", null)).Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_database_files_are_readable_by_the_owner_only()
    {
        await Api.RegisterAsync();
        var files = Directory.GetFiles(_folder, "userdata.db*");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    private static void ExpectEnvelope(RawReply reply, int status, string code)
    {
        Assert.True(reply.Status == status, $"Expected {status}, got {reply.Status}: {reply.Body}");
        Assert.StartsWith("application/json", reply.Headers.GetValueOrDefault("content-type"), StringComparison.Ordinal);
        Assert.Equal("nosniff", reply.Headers.GetValueOrDefault("x-content-type-options"));
        var json = reply.Json;
        Assert.NotNull(json);
        Assert.Equal(code, json["error"]!["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(json["error"]!["message"]!.GetValue<string>()));
        Assert.NotNull(json["meta"]!["request_id"]);
        Assert.Equal("1.0.0", json["meta"]!["version"]!.GetValue<string>());
    }
}
