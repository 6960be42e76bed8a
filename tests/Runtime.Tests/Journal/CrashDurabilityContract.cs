using System.Diagnostics;
using System.Globalization;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Tests.Journal;

/// <summary>
/// A child silo process appends under load and prints each acknowledged append; it is killed with
/// SIGKILL mid-stream, and every append it acknowledged must then be in the journal. Run per adapter.
/// </summary>
public abstract class CrashDurabilityContract
{
    private const int AcknowledgementsBeforeKill = 2_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    /// <summary>Configuration arguments pointing the child at this test class's store.</summary>
    protected abstract IEnumerable<string> StorageArguments { get; }

    protected abstract IJournalStorage CreateStorage();

    [Fact]
    public async Task Every_append_acknowledged_before_a_SIGKILL_is_in_the_journal()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "UserData.JournalWriter.dll"));
        foreach (var argument in StorageArguments.Append("--Writers=32"))
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("The journal writer did not start.");
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        child.ErrorDataReceived += (_, line) => errors.Enqueue(line.Data ?? "");
        child.BeginErrorReadLine();
        var acknowledged = new Dictionary<string, int>();
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            var count = 0;
            while (count < AcknowledgementsBeforeKill)
            {
                var line = await child.StandardOutput.ReadLineAsync(deadline.Token)
                    ?? throw new InvalidOperationException($"The journal writer exited early: {string.Join('\n', errors)}");
                count += Record(line, acknowledged) ? 1 : 0;
            }
        }
        finally
        {
            child.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks, no flushing
        }

        // Lines already in the pipe were printed before the kill, so their appends were acknowledged too.
        while (await child.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            Record(line, acknowledged);
        }

        await child.WaitForExitAsync(deadline.Token);
        var storage = CreateStorage();
        foreach (var (grain, lastAcknowledged) in acknowledged)
        {
            var journal = await storage.ReadAsync(new GrainId("tally", grain), 0, 1_000_000);
            var entries = journal.Select(e => System.Text.Json.JsonDocument.Parse(e.Json).RootElement.GetProperty("entry").GetString()).ToList();
            Assert.True(
                entries.Count >= lastAcknowledged,
                $"{grain}: {lastAcknowledged} appends were acknowledged but the journal holds {entries.Count}.");
            Assert.Equal(Enumerable.Range(1, entries.Count).Select(n => n.ToString(CultureInfo.InvariantCulture)), entries);
            Assert.Equal(Enumerable.Range(1, entries.Count).Select(n => (long)n), journal.Select(e => e.Seq));
        }
    }

    private static bool Record(string line, Dictionary<string, int> acknowledged)
    {
        var parts = line.Split(' ');
        if (parts is not ["ack", var grain, var entry])
        {
            return false;
        }

        acknowledged[grain] = Math.Max(acknowledged.GetValueOrDefault(grain), int.Parse(entry, CultureInfo.InvariantCulture));
        return true;
    }
}
