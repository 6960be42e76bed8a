using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace UserData.Gateway.Tests.Support;

/// <summary>A signed-in user as the tests hold it.</summary>
public sealed record Session(string UserId, string Email, string AccessToken, string RefreshToken);

/// <summary>A response read once: status, headers and the JSON body.</summary>
public sealed record Reply(HttpStatusCode Status, HttpResponseHeaders Headers, HttpContentHeaders? ContentHeaders, JsonNode? Body)
{
    public JsonNode Data => Body?["data"] ?? throw new InvalidOperationException($"No data in {Status}: {Body?.ToJsonString()}");

    public string? ErrorCode => Body?["error"]?["code"]?.GetValue<string>();

    public string? ETag => Headers.ETag?.Tag;
}

/// <summary>Calls the API over HTTP with JSON bodies given as objects (serialized as is) or raw text.</summary>
public sealed class Api(HttpClient client)
{
    public const string Password = "correct horse";

    public HttpClient Client => client;

    public static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    public async Task<Session> RegisterAsync(string? email = null, string password = Password)
    {
        email ??= NewEmail();
        var reply = await SendAsync(HttpMethod.Post, "/api/v1/auth/register", new JsonObject { ["email"] = email, ["password"] = password });
        Assert.True(reply.Status == HttpStatusCode.Created, reply.Body?.ToJsonString());
        return ToSession(reply, email);
    }

    public static Session ToSession(Reply reply, string email)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var data = reply.Data;
        return new Session(data["user"]!["id"]!.GetValue<string>(), email, data["access_token"]!.GetValue<string>(), data["refresh_token"]!.GetValue<string>());
    }

    public Task<Reply> SendAsync(HttpMethod method, string path, JsonNode? body = null, string? token = null, IDictionary<string, string>? headers = null) =>
        SendRawAsync(method, path, body?.ToJsonString(), token, headers);

    public Task<Reply> GetAsync(string path, string? token) => SendAsync(HttpMethod.Get, path, null, token);

    public async Task<Reply> SendRawAsync(
        HttpMethod method, string path, string? body, string? token = null, IDictionary<string, string>? headers = null, string contentType = "application/json")
    {
        using var content = body is null ? null : new StringContent(body, Encoding.UTF8);
        if (content is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return await SendContentAsync(method, path, content, token, headers);
    }

    public async Task<Reply> SendContentAsync(HttpMethod method, string path, HttpContent? content, string? token = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        if (text.Length > 0)
        {
            json = JsonNode.Parse(text);
        }

        return new Reply(response.StatusCode, response.Headers, response.Content.Headers, json);
    }
}

public static class Expect
{
    /// <summary>The error envelope with this status and code, and exactly these details (field, issue) when given.</summary>
    public static void Error(Reply reply, HttpStatusCode status, string code, params (string Field, string Issue)[] details)
    {
        ArgumentNullException.ThrowIfNull(reply);
        Assert.True(reply.Status == status, $"Expected {(int)status} {code}, got {(int)reply.Status}: {reply.Body?.ToJsonString()}");
        Assert.Equal(code, reply.ErrorCode);
        Assert.False(string.IsNullOrEmpty(reply.Body!["error"]!["message"]!.GetValue<string>()));
        Assert.NotNull(reply.Body["meta"]?["request_id"]);
        if (details.Length > 0)
        {
            var actual = reply.Body["error"]!["details"]!.AsArray()
                .Select(detail => (detail!["field"]!.GetValue<string>(), detail["issue"]!.GetValue<string>()))
                .ToArray();
            Assert.Equal(details.OrderBy(detail => detail.Field), actual.OrderBy(detail => detail.Item1));
        }
    }

    public static void Status(Reply reply, HttpStatusCode status)
    {
        ArgumentNullException.ThrowIfNull(reply);
        Assert.True(reply.Status == status, $"Expected {(int)status}, got {(int)reply.Status}: {reply.Body?.ToJsonString()}");
    }
}
