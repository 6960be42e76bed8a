using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using UserData.TestSupport;

namespace UserData.Cluster.Tests.Support;

/// <summary>A user registered over the HTTP API, with the access token its requests carry (valid 15 minutes).</summary>
public sealed record ApiUser(string Id, string Email, string AccessToken);

/// <summary>Registers users through a gateway's HTTP API.</summary>
public static class ApiUsers
{
    private static readonly TimeSpan RegisterDeadline = TimeSpan.FromSeconds(60);

    /// <summary>A request to the gateway's API on behalf of the holder of <paramref name="accessToken"/>.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string? accessToken) =>
        new(method, new Uri(path, UriKind.Relative)) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", accessToken) } };

    /// <summary><paramref name="count"/> users named <c>{prefix}-{n}@cluster.example</c>, 8 registrations at a time.</summary>
    public static Task<IReadOnlyList<ApiUser>> RegisterAsync(HttpClient http, string prefix, int count) =>
        RegisterAsync(http, [.. Enumerable.Range(0, count).Select(index => $"{prefix}-{index.ToString(CultureInfo.InvariantCulture)}@cluster.example")]);

    public static async Task<IReadOnlyList<ApiUser>> RegisterAsync(HttpClient http, IReadOnlyList<string> emails)
    {
        ArgumentNullException.ThrowIfNull(emails);
        using var parallel = new SemaphoreSlim(8);
        return await Task.WhenAll(emails.Select(async email =>
        {
            await parallel.WaitAsync().ConfigureAwait(false);
            try
            {
                return await RegisterOneAsync(http, email).ConfigureAwait(false);
            }
            finally
            {
                parallel.Release();
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Registers one user; a 503 (the cluster is still settling) is retried as its Retry-After asks.</summary>
    private static async Task<ApiUser> RegisterOneAsync(HttpClient http, string email)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.PostAsJsonAsync(
                new Uri("/api/v1/auth/register", UriKind.Relative),
                new Dictionary<string, string> { ["email"] = email, ["password"] = ClusterProcessSettings.Password }).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                var data = JsonNode.Parse(body)!["data"]!;
                return new ApiUser(data["user"]!["id"]!.GetValue<string>(), email, data["access_token"]!.GetValue<string>());
            }

            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || clock.Elapsed > RegisterDeadline)
            {
                throw new HttpRequestException($"register {email}: {(int)response.StatusCode} {body}");
            }

            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
    }
}
