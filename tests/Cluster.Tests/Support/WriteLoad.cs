using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace UserData.Cluster.Tests.Support;

/// <summary>A user registered over the HTTP API, with the access token its writes carry.</summary>
public sealed record ApiUser(string Id, string AccessToken);

/// <summary>A write that was not acknowledged: its HTTP status and error code, or the transport error when there was no answer.</summary>
public sealed record WriteFailure(TimeSpan At, string User, HttpStatusCode? Status, string? Code, bool HasRetryAfter, string Detail)
{
    /// <summary>What api.md promises for a request the service could not complete: 503 UNAVAILABLE with Retry-After.</summary>
    public bool IsRetryableUnavailable => Status == HttpStatusCode.ServiceUnavailable && Code == "UNAVAILABLE" && HasRetryAfter;

    public string Kind => Status is { } status ? $"{(int)status} {Code}{(HasRetryAfter ? " Retry-After" : "")}" : Detail.Split(':')[0];
}

/// <summary>
/// Writers creating uniquely named tasks (POST /api/v1/me/tasks) for many users through a gateway, round robin, until
/// stopped. Every acknowledged write (201) and every failure is recorded with its time, so tests can check recovery
/// times and, reading each user's audit trail back over HTTP, that every acknowledged write is there exactly once.
/// </summary>
public sealed class WriteLoad : IDisposable
{
    private static readonly TimeSpan RegisterDeadline = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Name, TimeSpan At)>> _acknowledged = new();
    private readonly Dictionary<string, ApiUser> _users;
    private Task? _running;
    private long _nextUser;
    private long _nextName;

    private WriteLoad(HttpClient http, IReadOnlyList<ApiUser> users)
    {
        _http = http;
        _users = users.ToDictionary(user => user.Id);
        Users = [.. users.Select(user => user.Id)];
        foreach (var user in Users)
        {
            _acknowledged[user] = new();
        }
    }

    public IReadOnlyList<string> Users { get; }

    public ConcurrentQueue<WriteFailure> Failures { get; } = new();

    public TimeSpan Now => _clock.Elapsed;

    public long AcknowledgedCount => _acknowledged.Values.Sum(entries => (long)entries.Count);

    /// <summary>Registers <paramref name="count"/> users through the gateway at <paramref name="gateway"/>.</summary>
    public static async Task<WriteLoad> RegisterAsync(Uri gateway, string prefix, int count)
    {
        // Far above the gateway's own answer time: a write waiting on a dead silo must come back with the gateway's answer.
        var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            using var parallel = new SemaphoreSlim(8);
            var users = await Task.WhenAll(Enumerable.Range(0, count).Select(async index =>
            {
                await parallel.WaitAsync();
                try
                {
                    return await RegisterOneAsync(http, $"{prefix}-{index.ToString(CultureInfo.InvariantCulture)}@chaos.example");
                }
                finally
                {
                    parallel.Release();
                }
            }));
            return new WriteLoad(http, users);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    public void Start(int writers) =>
        _running = Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(WriteAsync)));

    /// <summary>Stops the writers and waits for their last requests; safe to call again, or before <see cref="Start"/>.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running;
        }
    }

    /// <summary>The time of the first acknowledged write of <paramref name="user"/> at or after <paramref name="since"/>.</summary>
    public TimeSpan? FirstAcknowledgedSince(string user, TimeSpan since) =>
        _acknowledged[user].Where(ack => ack.At >= since).Select(ack => (TimeSpan?)ack.At).Min();

    /// <summary>
    /// Writes once for every user, all at once, each retrying until it is acknowledged: the time each user could write
    /// again, measured from now, independent of how often the round-robin load reaches it. A user that could not write
    /// within <paramref name="deadline"/> gets <see cref="TimeSpan.MaxValue"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, TimeSpan>> ProbeEveryUserAsync(TimeSpan deadline)
    {
        var start = _clock.Elapsed;
        var times = await Task.WhenAll(Users.Select(async user =>
        {
            while (_clock.Elapsed - start < deadline)
            {
                if (await TryWriteAsync(user, "probe-"))
                {
                    return (user, _clock.Elapsed - start);
                }

                await Task.Delay(10);
            }

            return (user, TimeSpan.MaxValue);
        }));
        return times.ToDictionary(time => time.user, time => time.Item2);
    }

    /// <summary>Every acknowledged task is in its user's audit trail exactly once, and no task was created twice.</summary>
    public async Task VerifyAsync()
    {
        using var parallel = new SemaphoreSlim(8);
        await Task.WhenAll(Users.Select(async user =>
        {
            await parallel.WaitAsync();
            try
            {
                var created = await ReadCreatedTasksAsync(_users[user]);
                var counts = created.GroupBy(name => name).ToDictionary(group => group.Key, group => group.Count());
                var duplicated = counts.Where(pair => pair.Value > 1).Select(pair => pair.Key).ToList();
                Assert.True(duplicated.Count == 0, $"{user}: tasks created twice: {string.Join(", ", duplicated.Take(5))}");
                var missing = _acknowledged[user].Select(ack => ack.Name).Where(name => !counts.ContainsKey(name)).ToList();
                Assert.True(missing.Count == 0, $"{user}: acknowledged tasks missing: {string.Join(", ", missing.Take(5))}");
            }
            finally
            {
                parallel.Release();
            }
        }));
    }

    public void Dispose()
    {
        _http.Dispose();
        _stop.Dispose();
    }

    /// <summary>Registers one user; a 503 (the cluster is still settling) is retried as its Retry-After asks.</summary>
    private static async Task<ApiUser> RegisterOneAsync(HttpClient http, string email)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.PostAsJsonAsync(
                "/api/v1/auth/register", new Dictionary<string, string> { ["email"] = email, ["password"] = "chaos-password-1" });
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.Created)
            {
                var data = JsonNode.Parse(body)!["data"]!;
                return new ApiUser(data["user"]!["id"]!.GetValue<string>(), data["access_token"]!.GetValue<string>());
            }

            Assert.True(
                response.StatusCode == HttpStatusCode.ServiceUnavailable && clock.Elapsed < RegisterDeadline,
                $"register {email}: {(int)response.StatusCode} {body}");
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }

    private async Task WriteAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await TryWriteAsync(Users[(int)(Interlocked.Increment(ref _nextUser) % Users.Count)], "w-");
        }
    }

    /// <summary>Creates one task with a name never used before; records the acknowledgement or the failure.</summary>
    private async Task<bool> TryWriteAsync(string user, string prefix)
    {
        var name = prefix + Interlocked.Increment(ref _nextName).ToString(CultureInfo.InvariantCulture);

        // Archived tasks do not count toward the limit of 100 active tasks per user.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/me/tasks")
        {
            Content = JsonContent.Create(new Dictionary<string, string> { ["name"] = name, ["status"] = "archived" }),
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", _users[user].AccessToken) },
        };
        try
        {
            using var response = await _http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                _acknowledged[user].Enqueue((name, _clock.Elapsed));
                return true;
            }

            var body = await response.Content.ReadAsStringAsync();
            var code = TryParse(body)?["error"]?["code"]?.GetValue<string>();
            Failures.Enqueue(new WriteFailure(_clock.Elapsed, user, response.StatusCode, code, response.Headers.RetryAfter is not null, body));
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            Failures.Enqueue(new WriteFailure(_clock.Elapsed, user, null, null, false, $"{exception.GetType().Name}: {exception.Message}"));
        }

        return false;
    }

    private async Task<List<string>> ReadCreatedTasksAsync(ApiUser user)
    {
        var names = new List<string>();
        for (var offset = 0; ; offset += 100)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/me/audit?limit=100&offset={offset.ToString(CultureInfo.InvariantCulture)}")
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken) },
            };
            using var response = await _http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"audit of {user.Id}: {(int)response.StatusCode} {body}");
            var page = JsonNode.Parse(body)!;
            names.AddRange(page["data"]!.AsArray()
                .Where(entry => entry!["action"]!.GetValue<string>() == "task.created")
                .Select(entry => entry!["changes"]!["name"]!["new"]!.GetValue<string>()));
            if (!page["pagination"]!["has_more"]!.GetValue<bool>())
            {
                return names;
            }
        }
    }

    private static JsonNode? TryParse(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
