using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>A generated request: what it does to a route's body, headers, query string and path values.</summary>
public sealed record HostileRequest(byte[]? Body, string ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers, string Query, string PathValue, string Caller)
{
    public override string ToString() =>
        $"caller {Caller}, path value '{PathValue}', query '{Query}', content type '{ContentType}', headers [{string.Join("; ", Headers.Select(header => $"{header.Key}: {header.Value}"))}], " +
        $"body {(Body is null ? "none" : Convert.ToHexString(Body))} ('{(Body is null ? "" : Encoding.UTF8.GetString(Body))}')";
}

/// <summary>Generators of hostile input: broken and adversarial JSON, headers, query strings and path values.</summary>
public static class HostileInput
{
    private static readonly string[] Fields =
    [
        "email", "password", "display_name", "refresh_token", "attributes", "name", "description", "status", "due_at", "metadata", "tags",
        "category", "role", "id", "user_id", "version", "__proto__", "",
    ];

    private static readonly string[] JsonFragments =
    [
        "{", "}", "[", "]", ",", ":", "null", "true", "false", "0", "-0", "1e309", "-1e-400", "123456789012345678901234567890", "0x10", "NaN",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud83d\\ude00\"", "\"\\u0000\"", "\"\\u202e\"", "\"\\u200b\"", "\"x\"", "\"\"", "\"2030-01-01T00:00:00Z\"",
        "\"2030-13-45T99:99:99Z\"", "{}", "[]", "\"\\", "'x'", "/* */", "\uFEFF", "\"\U0001F468\u200D\U0001F469\"",
    ];

    private static readonly string[] Texts =
    [
        "", " ", "x", "A", "a", "\u0000", "\u0007", "\u200B", "\u200D", "\u202E", "\u2066", "\uFEFF", "\u3164", "\uFF41dmin@example.test",
        "admin@example.com", "user@example.com", "todo", "done", "archived", "created_at:desc", "name:asc", "*", "\"1\"", "W/\"1\"",
        "../..", "%", "%00", "%FF", "%ED%A0%80", "<script>", "' OR 1=1 --", "\\ud800", "-1", "0", "101", "2147483648", "1e3",
        "\U0001F600", "\u00E9", "\u0130", "\u00DF", "Bearer", "null",
    ];

    private static readonly string[] HeaderNames =
    [
        "Authorization", "If-Match", "Idempotency-Key", "X-Request-Id", "X-Correlation-Id", "Origin", "X-Forwarded-For", "Accept",
        "Accept-Encoding", "Accept-Language", "Cookie", "Range", "If-None-Match", "Content-Encoding", "Expect", "X-Http-Method-Override",
    ];

    private static readonly string[] QueryNames = ["limit", "offset", "status", "category", "tag", "sort", "x", "limit", "", "a[b]", "%FF"];

    private static readonly string[] Callers = ["none", "user", "admin", "garbage", "user", "admin"];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json", "application/json; charset=utf-8", "application/merge-patch+json", "text/plain",
        "application/json; charset=latin1", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "*/*", "application/",
    ];

    public static Arbitrary<HostileRequest> Requests() =>
        (from body in Gen.OneOf(Gen.Constant<byte[]?>(null), JsonBodies().Select(text => (byte[]?)Encoding.UTF8.GetBytes(text)), Bytes().Select(bytes => (byte[]?)bytes))
         from contentType in Gen.Elements(ContentTypes)
         from headers in Header().ListOf().Select(list => (IReadOnlyList<KeyValuePair<string, string>>)[.. list.Take(6)])
         from query in Query()
         from pathValue in Text()
         from caller in Gen.Elements(Callers)
         select new HostileRequest(body, contentType, headers, query, pathValue, caller)).ToArbitrary();

    /// <summary>Arbitrary text, or text made of the characters that broke servers before.</summary>
    private static Gen<string> Text() =>
        Gen.OneOf(
            Gen.Elements(Texts),
            ArbMap.Default.GeneratorFor<string>().Select(text => text ?? string.Empty),
            Gen.Elements(Texts).ListOf().Select(parts => string.Concat(parts.Take(8))),
            Gen.Choose(1, 3000).Select(length => new string('x', length)));

    /// <summary>JSON-ish text: fragments glued at random, or objects with the API's field names and hostile values.</summary>
    private static Gen<string> JsonBodies() =>
        Gen.OneOf(
            Gen.Elements(JsonFragments).ListOf().Select(parts => string.Concat(parts.Take(16))),
            (from fields in Gen.OneOf(Gen.Elements(Fields).Select(field => $"\"{field}\""), Gen.Elements(JsonFragments), Text().Select(Json)).ListOf()
             from values in JsonValue().ListOf()
             select "{" + string.Join(",", fields.Take(6).Zip(values, (field, value) => $"{field}:{value}")) + "}"),
            Gen.Choose(1, 200).Select(depth => new string('[', depth) + new string(']', depth)),
            Gen.Choose(1, 200).Select(depth => "{\"attributes\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth + 1)));

    private static Gen<string> JsonValue() =>
        Gen.OneOf(
            Gen.Elements(JsonFragments.Where(fragment => fragment.Length > 1 || char.IsDigit(fragment[0])).ToArray()),
            Text().Select(text => Json(text)),
            Text().Select(text => "[" + Json(text) + "]"),
            Text().Select(text => "{\"tags\":[" + Json(text) + "],\"category\":" + Json(text) + "}"));

    /// <summary>A JSON string of <paramref name="text"/>; a lone surrogate in it comes out escaped (<c>\ud800</c>).</summary>
    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static Gen<byte[]> Bytes() =>
        Gen.OneOf(
            ArbMap.Default.GeneratorFor<byte[]>().Select(bytes => bytes ?? []),
            Gen.Constant<byte[]>([0xEF, 0xBB, 0xBF, .. "{}"u8]),
            Gen.Constant<byte[]>([.. "{\"name\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8]),
            Gen.Constant<byte[]>([.. "{\"name\":\""u8, 0xC0, 0xAF, .. "\"}"u8]));

    /// <summary>Header values a client library can send (no CR, LF or NUL: those are Kestrel's, tested on raw connections).</summary>
    private static Gen<KeyValuePair<string, string>> Header() =>
        from name in Gen.Elements(HeaderNames)
        from value in Gen.OneOf(Text(), Text().Select(text => "Bearer " + text), Gen.Constant("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."))
        select KeyValuePair.Create(name, new string([.. value.Where(c => c is >= ' ' and <= '\u00FF' and not '\u007F')]));

    private static Gen<string> Query() =>
        from pairs in (from name in Gen.Elements(QueryNames) from value in Text() select $"{name}={Encode(value)}").ListOf()
        select string.Join("&", pairs.Take(8));

    /// <summary>Percent-encodes UTF-8 (a lone surrogate becomes U+FFFD), but keeps any %XX already there so raw bytes come through.</summary>
    public static string Encode(string text) =>
        string.Concat(Encoding.UTF8.GetBytes(text).Select(b => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'%' or (byte)'-' or (byte)'.' or (byte)'_' ? ((char)b).ToString() : $"%{b:X2}"));
}

/// <summary>
/// Generated hostile bodies, headers, query strings and path values, each thrown at every route the app maps (read from its
/// <see cref="EndpointDataSource"/>, so a new route is covered without touching this test): no answer is ever a 5xx, every
/// error is the envelope, and nothing is logged as an error.
/// </summary>
public sealed class HostileRequestProperties : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-properties-").FullName;
    private readonly CapturingLoggerProvider _logs = new();
    private GatewayHost _host = null!;
    private HttpClient _client = null!;
    private IReadOnlyList<(string Method, string Pattern)> _routes = [];
    private string _adminToken = string.Empty;

    public async Task InitializeAsync()
    {
        _host = await GatewayHost.StartAsync(GatewayHost.BaseSettings(_folder), builder => builder.Logging.AddProvider(_logs));
        // Latin-1 header values go out as such, so the server sees bytes beyond ASCII too.
        _client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 })
        {
            BaseAddress = _host.Address,
            Timeout = TimeSpan.FromSeconds(60),
        };
        _routes = [.. _host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"])
                .Select(method => (method, endpoint.RoutePattern.RawText ?? "/")))
            .Distinct()];
        _adminToken = await RegisterAsync("admin@example.com");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void The_routes_are_discovered_from_the_app()
    {
        Assert.Contains(("POST", "/api/v1/auth/login"), _routes);
        Assert.Contains(("PATCH", "/api/v1/me/tasks/{id}"), _routes);
        Assert.True(_routes.Count >= 25, string.Join(", ", _routes));
    }

    [Property(MaxTest = 60, Arbitrary = [typeof(HostileInput)])]
    public bool Hostile_requests_to_every_route_never_get_a_5xx(HostileRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Task.Run(() => SendToEveryRouteAsync(request)).GetAwaiter().GetResult();
        var errors = _logs.Lines.Where(line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return true;
    }

    private async Task SendToEveryRouteAsync(HostileRequest request)
    {
        var userToken = await RegisterAsync(Support.Api.NewEmail()).ConfigureAwait(false);
        foreach (var (method, pattern) in _routes)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, "{[^}]+}", HostileInput.Encode(request.PathValue).Replace("%2F", "/", StringComparison.Ordinal));
            var target = request.Query.Length > 0 ? $"{path}?{request.Query}" : path;
            using var message = new HttpRequestMessage(new HttpMethod(method), target);
            if (request.Body is { } body)
            {
                message.Content = new ByteArrayContent(body);
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }

            foreach (var (name, value) in request.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            var token = request.Caller switch { "user" => userToken, "admin" => _adminToken, "garbage" => "x.y.z", _ => null };
            if (token is not null && !message.Headers.Contains("Authorization"))
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            // The dashboard's live log (/dashboard/Trace) streams until the client leaves: its status and headers are checked, not its end.
            using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            var streams = pattern.EndsWith("/Trace", StringComparison.Ordinal) && response.IsSuccessStatusCode;
            var text = streams ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{method} {target}: {status} {text}");
            // The dashboard's sign-in and sign-out forms answer a browser's bad form with the form page again.
            var formPage = pattern is "/dashboard/signin" or "/dashboard/signout" && response.Content.Headers.ContentType?.MediaType == "text/html";
            if (status >= 400 && method != "HEAD" && !formPage)
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"{method} {target}: {status} {response.Content.Headers.ContentType}");
                Assert.NotNull(JsonNode.Parse(text)?["error"]?["code"]);
            }

            if (token == _adminToken && method == "DELETE" && pattern == "/api/v1/me" && response.StatusCode == HttpStatusCode.NoContent)
            {
                _adminToken = await RegisterAsync("admin@example.com").ConfigureAwait(false);
            }
        }
    }

    private async Task<string> RegisterAsync(string email)
    {
        using var response = await _client.PostAsync(
            "/api/v1/auth/register",
            new StringContent(new JsonObject { ["email"] = email, ["password"] = Support.Api.Password }.ToJsonString(), Encoding.UTF8, "application/json")).ConfigureAwait(false);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false))!;
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return body["data"]!["access_token"]!.GetValue<string>();
    }
}
