using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using UserData.Cluster.Tests.Grains;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Cluster.Tests.Support;

/// <summary>
/// Writers appending unique entries to many users' grains, round robin, until stopped. Every acknowledged entry and
/// every failure is recorded with its time, so tests can check recovery times and, in the journal, exactly-once.
/// </summary>
public sealed class WriteLoad
{
    private readonly IGrainFactory _grains;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Entry, TimeSpan At)>> _acknowledged = new();
    private Task? _running;
    private long _next;

    public WriteLoad(IGrainFactory grains, string prefix, int users)
    {
        _grains = grains;
        Users = [.. Enumerable.Range(0, users).Select(index => $"{prefix}-{index.ToString(CultureInfo.InvariantCulture)}")];
        foreach (var user in Users)
        {
            _acknowledged[user] = new();
        }
    }

    public IReadOnlyList<string> Users { get; }

    public ConcurrentQueue<(TimeSpan At, string User, Exception Error)> Failures { get; } = new();

    public TimeSpan Now => _clock.Elapsed;

    public long AcknowledgedCount => _acknowledged.Values.Sum(entries => (long)entries.Count);

    public void Start(int writers) =>
        _running = Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(WriteAsync)));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _running!;
    }

    /// <summary>The time of the first acknowledged write of <paramref name="user"/> at or after <paramref name="since"/>.</summary>
    public TimeSpan? FirstAcknowledgedSince(string user, TimeSpan since) =>
        _acknowledged[user].Where(ack => ack.At >= since).Select(ack => (TimeSpan?)ack.At).Min();

    /// <summary>
    /// Writes once to every user, all at once, each retrying until it is acknowledged: the time each user could write
    /// again, measured from now, independent of how often the round-robin load reaches it.
    /// </summary>
    public async Task<TimeSpan> ProbeEveryUserAsync(TimeSpan deadline)
    {
        var start = _clock.Elapsed;
        var times = await Task.WhenAll(Users.Select(async user =>
        {
            while (_clock.Elapsed - start < deadline)
            {
                var entry = "probe-" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
                try
                {
                    await _grains.GetGrain<ILedgerGrain>(user).AddAsync(entry);
                    _acknowledged[user].Enqueue((entry, _clock.Elapsed));
                    return _clock.Elapsed - start;
                }
#pragma warning disable CA1031 // A failed probe is recorded and tried again with a new entry.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    Failures.Enqueue((_clock.Elapsed, user, exception));
                    await Task.Delay(10);
                }
            }

            return TimeSpan.MaxValue;
        }));
        return times.Max();
    }

    /// <summary>Every acknowledged entry is in the user's journal exactly once, and no entry is there twice.</summary>
    public async Task VerifyJournalAsync(IJournalStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        foreach (var user in Users)
        {
            var journal = await storage.ReadAsync(new GrainId("ledger", user), 0, 1_000_000);
            var entries = journal
                .Select(stored => System.Text.Json.JsonDocument.Parse(stored.Json).RootElement.GetProperty("entry").GetString()!)
                .ToList();
            var counts = entries.GroupBy(entry => entry).ToDictionary(group => group.Key, group => group.Count());
            var duplicated = counts.Where(pair => pair.Value > 1).Select(pair => pair.Key).ToList();
            Assert.True(duplicated.Count == 0, $"{user}: entries written twice: {string.Join(", ", duplicated.Take(5))}");
            var missing = _acknowledged[user].Select(ack => ack.Entry).Where(entry => !counts.ContainsKey(entry)).ToList();
            Assert.True(missing.Count == 0, $"{user}: acknowledged entries missing from the journal: {string.Join(", ", missing.Take(5))}");
            Assert.Equal(Enumerable.Range(1, journal.Count).Select(n => (long)n), journal.Select(stored => stored.Seq));
        }
    }

    private async Task WriteAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var sequence = Interlocked.Increment(ref _next);
            var user = Users[(int)(sequence % Users.Count)];
            var entry = sequence.ToString(CultureInfo.InvariantCulture);
            try
            {
                await _grains.GetGrain<ILedgerGrain>(user).AddAsync(entry);
                _acknowledged[user].Enqueue((entry, _clock.Elapsed));
            }
#pragma warning disable CA1031 // Failures are the measurement: recorded, and the writer moves on with a new entry.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Failures.Enqueue((_clock.Elapsed, user, exception));
            }
        }
    }
}
