using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace UserData.Cluster.Tests.Support;

/// <summary>A write that was not acknowledged: its HTTP status and error code, or the transport error when there was no answer.</summary>
public sealed record WriteFailure(TimeSpan At, string User, HttpStatusCode? Status, string? Code, bool HasRetryAfter, string Detail)
{
    /// <summary>What api.md promises for a request the service could not complete: 503 UNAVAILABLE with Retry-After.</summary>
    public bool IsRetryableUnavailable => Status == HttpStatusCode.ServiceUnavailable && Code == "UNAVAILABLE" && HasRetryAfter;

    public string Kind => Status is { } status ? $"{(int)status} {Code}{(HasRetryAfter ? " Retry-After" : "")}" : Detail.Split(':')[0];

    public override string ToString() => $"{Kind} at {At.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s for {User}: {Detail}";
}

/// <summary>
/// Writers creating uniquely named tasks (POST /api/v1/me/tasks) for many users through a gateway, round robin, until
/// stopped. Every acknowledged write (201) and every failure is recorded with its time, so tests can check recovery
/// times and, reading each user's audit trail back over HTTP, that every acknowledged write is there exactly once.
/// </summary>
public sealed class WriteLoad : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _prefix;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Name, TimeSpan At)>> _acknowledged = new();
    private readonly Dictionary<string, ApiUser> _users;
    private Task? _running;
    private long _nextUser;
    private long _nextName;
    private long _abandoned;

    /// <param name="prefix">Starts every task name of this load, so that loads on the same users never reuse a name.</param>
    public WriteLoad(HttpClient http, IReadOnlyList<ApiUser> users, string prefix)
    {
        ArgumentNullException.ThrowIfNull(users);
        _http = http;
        _prefix = prefix;
        _users = users.ToDictionary(user => user.Id);
        Users = [.. users.Select(user => user.Id)];
        foreach (var user in Users)
        {
            _acknowledged[user] = new();
        }
    }

    public IReadOnlyList<string> Users { get; }

    public ConcurrentQueue<WriteFailure> Failures { get; } = new();

    /// <summary>
    /// Probe writes given up after <see cref="ProbeTimeout"/>, as a frontend gives up a request: a pure gateway's call that
    /// was on its way through a gateway silo when that silo was killed waits for Orleans' response timeout (30 s).
    /// </summary>
    public long Abandoned => Interlocked.Read(ref _abandoned);

    /// <summary>How long one probe write may take before the probe gives it up and writes again.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Time since the load was created, the clock of every recorded time.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public long AcknowledgedCount => _acknowledged.Values.Sum(entries => (long)entries.Count);

    public void Start(int writers) =>
        _running = Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(WriteAsync)));

    /// <summary>Stops the writers and waits for their last requests; safe to call again, or before <see cref="Start"/>.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_running is not null)
        {
            await _running.ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="count"/> writes of this load have been acknowledged.</summary>
    public Task AcknowledgedAsync(long count, TimeSpan deadline) =>
        TestSupport.Eventually.TrueAsync(() => AcknowledgedCount >= count, deadline, $"{count} writes acknowledged (failures: {Failures.Count})");

    /// <summary>The time of the first acknowledged write of <paramref name="user"/> at or after <paramref name="since"/>.</summary>
    public TimeSpan? FirstAcknowledgedSince(string user, TimeSpan since) =>
        _acknowledged[user].Where(ack => ack.At >= since).Select(ack => (TimeSpan?)ack.At).Min();

    /// <summary>
    /// Writes once for each of <paramref name="users"/> (every user when null), all at once, each retrying until it is
    /// acknowledged: the time each user could write again, measured from <paramref name="since"/> on this load's clock,
    /// independent of how often the round-robin load reaches it. A user that could not write within
    /// <paramref name="deadline"/> gets <see cref="TimeSpan.MaxValue"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, TimeSpan>> ProbeAsync(TimeSpan since, TimeSpan deadline, IEnumerable<string>? users = null)
    {
        var times = await Task.WhenAll((users ?? Users).Select(async user =>
        {
            while (_clock.Elapsed - since < deadline)
            {
                if (await TryWriteAsync(user, "probe-", ProbeTimeout).ConfigureAwait(false))
                {
                    return (user, _clock.Elapsed - since);
                }

                await Task.Delay(10).ConfigureAwait(false);
            }

            return (user, TimeSpan.MaxValue);
        })).ConfigureAwait(false);
        return times.ToDictionary(time => time.user, time => time.Item2);
    }

    /// <summary>
    /// Reads every user's audit trail: each acknowledged task of this load must be there exactly once, and no task may
    /// have been created twice. Returns what is wrong, empty when nothing is.
    /// </summary>
    public async Task<IReadOnlyList<string>> VerifyAsync()
    {
        var problems = new ConcurrentQueue<string>();
        using var parallel = new SemaphoreSlim(8);
        await Task.WhenAll(Users.Select(async user =>
        {
            await parallel.WaitAsync().ConfigureAwait(false);
            try
            {
                var created = await ReadCreatedTasksAsync(_users[user]).ConfigureAwait(false);
                var counts = created.GroupBy(name => name).ToDictionary(group => group.Key, group => group.Count());
                var duplicated = counts.Where(pair => pair.Value > 1).Select(pair => pair.Key).ToList();
                if (duplicated.Count > 0)
                {
                    problems.Enqueue($"{user}: tasks created twice: {string.Join(", ", duplicated.Take(5))}");
                }

                var missing = _acknowledged[user].Select(ack => ack.Name).Where(name => !counts.ContainsKey(name)).ToList();
                if (missing.Count > 0)
                {
                    problems.Enqueue($"{user}: acknowledged tasks missing: {string.Join(", ", missing.Take(5))}");
                }
            }
            finally
            {
                parallel.Release();
            }
        })).ConfigureAwait(false);
        return [.. problems];
    }

    /// <summary>Counts, acknowledgements and failures by kind, for a test's output.</summary>
    public string Summary()
    {
        var lines = new List<string> { $"acknowledged {AcknowledgedCount}, failed {Failures.Count}, probe writes abandoned after {Seconds(ProbeTimeout)} s {Abandoned}" };
        lines.AddRange(Failures.GroupBy(failure => failure.Kind).Select(kind =>
            $"  {kind.Count()} x {kind.Key}, {kind.Select(failure => failure.User).Distinct().Count()} users, " +
            $"first at {Seconds(kind.Min(failure => failure.At))} s, last at {Seconds(kind.Max(failure => failure.At))} s: {kind.First().Detail}"));
        return string.Join('\n', lines);
    }

    public static string Seconds(TimeSpan time) =>
        time == TimeSpan.MaxValue ? "never" : time.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task WriteAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await TryWriteAsync(Users[(int)(Interlocked.Increment(ref _nextUser) % Users.Count)], "w-").ConfigureAwait(false);
        }
    }

    /// <summary>Creates one task with a name never used before; records the acknowledgement or the failure.</summary>
    private async Task<bool> TryWriteAsync(string user, string kind, TimeSpan? timeout = null)
    {
        using var giveUp = new CancellationTokenSource(timeout ?? Timeout.InfiniteTimeSpan);
        var name = $"{_prefix}-{kind}{Interlocked.Increment(ref _nextName).ToString(CultureInfo.InvariantCulture)}";

        // Archived tasks do not count toward the limit of 100 active tasks per user.
        using var request = ApiUsers.Request(HttpMethod.Post, "/api/v1/me/tasks", _users[user].AccessToken);
        request.Content = JsonContent.Create(new Dictionary<string, string> { ["name"] = name, ["status"] = "archived" });
        try
        {
            using var response = await _http.SendAsync(request, giveUp.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                _acknowledged[user].Enqueue((name, _clock.Elapsed));
                return true;
            }

            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            var code = TryParse(body)?["error"]?["code"]?.GetValue<string>();
            Failures.Enqueue(new WriteFailure(_clock.Elapsed, user, response.StatusCode, code, response.Headers.RetryAfter is not null, body));
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            Interlocked.Increment(ref _abandoned);
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
            using var request = ApiUsers.Request(
                HttpMethod.Get, $"/api/v1/me/audit?limit=100&offset={offset.ToString(CultureInfo.InvariantCulture)}", user.AccessToken);
            using var response = await _http.SendAsync(request).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new HttpRequestException($"audit of {user.Id}: {(int)response.StatusCode} {body}");
            }

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
