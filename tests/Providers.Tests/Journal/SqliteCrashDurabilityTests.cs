using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using UserData.TestSupport;

namespace UserData.Providers.Tests.Journal;

/// <summary>
/// A child silo process (tests/JournalHost) appends under load on the SQLite journal and prints each acknowledged append;
/// it is killed with SIGKILL mid-stream, and every append it acknowledged must be in the journal when the file is opened again.
/// </summary>
public sealed class SqliteCrashDurabilityTests : IAsyncLifetime
{
    private const int AcknowledgementsBeforeKill = 2_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    private readonly SqliteJournalBackend _backend = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Every_append_acknowledged_before_a_SIGKILL_is_in_the_journal_after_a_restart()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "UserData.JournalHost.dll"),
            $"--Path={_backend.DatabasePath}",
            $"--SiloPort={LoopbackPort.Next()}",
            $"--GatewayPort={LoopbackPort.Next()}",
            "--Writers=32",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("The journal host did not start.");
        var errors = new ConcurrentQueue<string>();
        child.ErrorDataReceived += (_, line) => errors.Enqueue(line.Data ?? "");
        child.BeginErrorReadLine();
        var acknowledged = new Dictionary<string, int>();
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            for (var count = 0; count < AcknowledgementsBeforeKill;)
            {
                var line = await child.StandardOutput.ReadLineAsync(deadline.Token)
                    ?? throw new InvalidOperationException($"The journal host exited early: {string.Join('\n', errors)}");
                count += Record(line, acknowledged) ? 1 : 0;
            }
        }
        finally
        {
            child.Kill(entireProcessTree: true); // SIGKILL: no shutdown, no flushing
        }

        // Lines already in the pipe were printed before the kill, so their appends were acknowledged too.
        while (await child.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            Record(line, acknowledged);
        }

        await child.WaitForExitAsync(deadline.Token);
        var store = await _backend.OpenStoreAsync();
        Assert.Equal(32, acknowledged.Count);
        foreach (var (stream, lastAcknowledged) in acknowledged)
        {
            var journal = await store.ReadAsync(stream, 0, long.MaxValue, 1_000_000, CancellationToken.None);
            var entries = journal.Select(e => int.Parse(JsonDocument.Parse(e.Text()).RootElement.GetProperty("entry").GetString()!, CultureInfo.InvariantCulture)).ToList();
            Assert.True(entries.Count >= lastAcknowledged, $"{stream}: {lastAcknowledged} appends were acknowledged but the journal holds {entries.Count}.");
            Assert.Equal(Enumerable.Range(1, entries.Count), entries);
            Assert.Equal(Enumerable.Range(1, entries.Count).Select(seq => (long)seq), journal.Select(e => e.Seq));
        }
    }

    private static bool Record(string line, Dictionary<string, int> acknowledged)
    {
        if (line.Split(' ') is not ["ack", var stream, var entry])
        {
            return false;
        }

        acknowledged[stream] = Math.Max(acknowledged.GetValueOrDefault(stream), int.Parse(entry, CultureInfo.InvariantCulture));
        return true;
    }
}
