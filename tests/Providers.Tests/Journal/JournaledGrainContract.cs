using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using UserData.Providers.Journal;
using UserData.TestSupport;

namespace UserData.Providers.Tests.Journal;

/// <summary>
/// The journal as a journaled grain uses it, in Orleans test clusters on a real store; two clusters on one store are two
/// activations of one grain. Each backend's test class derives from it.
/// </summary>
public abstract class JournaledGrainContract : JournalBackendTests
{
    [Fact]
    public async Task Confirmed_events_survive_deactivation_and_a_new_activation_replays_them()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Tally(NewKey());

        Assert.True(await grain.TryAddAsync(["a", "b"]));
        Assert.True(await grain.TryAddAsync(["c"]));
        await cluster.DeactivateAsync(grain);

        var view = await grain.GetAsync();
        Assert.Equal(3, view.Version);
        Assert.Equal(["a", "b", "c"], view.Entries);
        Assert.Equal([1L, 2L, 3L], EventJournalStoreContract.Seqs(await ReadAllAsync(grain)));
    }

    [Fact]
    public async Task Every_event_is_stored_as_readable_json_with_the_type_discriminator_of_its_base_type()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Tally(NewKey());

        Assert.True(await grain.TryAddAsync(["Zoë", "Ada"]));
        await grain.EraseAsync();

        var stored = await ReadAllAsync(grain);
        Assert.Equal("""{"type":"entries_erased"}""", Assert.Single(stored).Text());
        Assert.True(await Backend.StoresTextAsync("""{"type":"entries_erased"}"""));
        Assert.True(await grain.TryAddAsync(["Zoë"]));
        Assert.Equal("""{"type":"entry_added","entry":"Zo\u00EB"}""", (await ReadAllAsync(grain))[^1].Text());
    }

    [Fact]
    public async Task A_conditional_raise_after_another_writer_appended_returns_false_and_leaves_the_state_fresh()
    {
        await using var first = await StartClusterAsync();
        await using var second = await StartClusterAsync();
        var key = NewKey();
        Assert.Equal(0, (await first.Tally(key).GetAsync()).Version);
        Assert.Equal(0, (await second.Tally(key).GetAsync()).Version);

        Assert.True(await first.Tally(key).TryAddAsync(["first"]));
        Assert.False(await second.Tally(key).TryAddAsync(["second"]));

        var fresh = await second.Tally(key).GetAsync();
        Assert.Equal(1, fresh.Version);
        Assert.Equal(["first"], fresh.Entries);
        Assert.True(await second.Tally(key).TryAddAsync(["second"]));
        Assert.Equal(["first", "second"], (await first.Tally(key).RefreshAsync()).Entries);
        Assert.Equal(["first", "second"], (await ReadAllAsync(first.Tally(key))).Select(EntryOf));
    }

    [Fact]
    public async Task Two_clusters_writing_one_grain_commit_every_acknowledged_command_exactly_once()
    {
        await using var first = await StartClusterAsync();
        await using var second = await StartClusterAsync();
        var key = NewKey();
        ITallyGrain[] activations = [first.Tally(key), second.Tally(key)];

        // Both activations read version 0 before either writes, so an append must lose at least once.
        await Task.WhenAll(activations.Select(grain => grain.GetAsync()));
        const int CallersPerCluster = 3;
        const int CommandsPerCaller = 20;
        var acknowledged = new ConcurrentQueue<string>();
        var conflicts = 0;
        await Task.WhenAll(activations.SelectMany((grain, cluster) => Enumerable.Range(0, CallersPerCluster).Select(caller => Task.Run(async () =>
        {
            for (var command = 0; command < CommandsPerCaller; command++)
            {
                var entry = $"cluster{cluster}-caller{caller}-{command}";
                Interlocked.Add(ref conflicts, await grain.AddWithRetriesAsync(entry));
                acknowledged.Enqueue(entry);
            }
        }))));

        var journal = await ReadAllAsync(activations[0]);
        Assert.Equal(Enumerable.Range(1, 2 * CallersPerCluster * CommandsPerCaller).Select(seq => (long)seq), journal.Select(e => e.Seq));
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), journal.Select(EntryOf).Order(StringComparer.Ordinal));
        Assert.True(conflicts > 0, "No command met a conflict, so none was retried.");
        foreach (var grain in activations)
        {
            Assert.Equal(journal.Select(EntryOf), (await grain.RefreshAsync()).Entries);
        }
    }

    [Fact]
    public async Task A_new_activation_replays_a_2500_event_journal_in_pages_to_the_fold_of_its_events()
    {
        await using var writer = await StartClusterAsync(options => options.SnapshotInterval = 1_000_000);
        var key = NewKey();
        var entries = Enumerable.Range(1, 2_500).Select(n => $"e{n}").ToList();
        foreach (var batch in entries.Chunk(100))
        {
            Assert.True(await writer.Tally(key).TryAddAsync(batch));
        }

        await using var reader = await StartClusterAsync();
        var replayed = await reader.Tally(key).GetAsync();

        Assert.Null(await Store.ReadSnapshotAsync(StreamOf(reader.Tally(key)), CancellationToken.None));
        Assert.Equal(2_500, replayed.Version);
        Assert.Equal(entries, replayed.Entries);
    }

    [Fact]
    public async Task A_replay_tells_the_registration_the_stored_size_of_every_event_it_applies()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Tally(NewKey());
        Assert.True(await grain.TryAddAsync(["a", "Zoë"]));
        Assert.True(await grain.TryAddAsync(["a longer entry than the others"]));

        // A second cluster's activation replays the events (the first one's is alive, so no snapshot covers them).
        var told = new ConcurrentQueue<(object Event, int Bytes)>();
        await using var other = await StartClusterAsync(options => options.EventRead = (@event, bytes) => told.Enqueue((@event, bytes)));
        Assert.Equal(3, (await other.Tally(grain.GetPrimaryKeyString()).GetAsync()).Version);

        Assert.Equal((await ReadAllAsync(grain)).Select(stored => stored.Utf8Json.Length), told.Select(read => read.Bytes));
        Assert.Equal(["a", "Zoë", "a longer entry than the others"], told.Select(read => Assert.IsType<EntryAdded>(read.Event).Entry));
    }

    [Fact]
    public async Task A_snapshot_is_stored_every_N_events_and_at_deactivation()
    {
        await using var cluster = await StartClusterAsync(options => options.SnapshotInterval = 10);
        var grain = cluster.Tally(NewKey());
        for (var n = 1; n <= 25; n++)
        {
            Assert.True(await grain.TryAddAsync([$"e{n}"]));
        }

        Assert.Equal(20, (await Store.ReadSnapshotAsync(StreamOf(grain), CancellationToken.None))?.Version);
        await cluster.DeactivateAsync(grain);

        // Written once the activation is gone, which is when DeactivateAsync returns.
        StoredSnapshot? snapshot = null;
        await Eventually.TrueAsync(
            async () => (snapshot = await Store.ReadSnapshotAsync(StreamOf(grain), CancellationToken.None))?.Version == 25,
            because: "the deactivation snapshot is stored");
        Assert.Equal(JsonSerializer.Serialize(new { entries = Enumerable.Range(1, 25).Select(n => $"e{n}"), erasures = 0 }), snapshot?.Json);
    }

    [Fact]
    public async Task Stopping_the_silo_stores_the_snapshot_of_every_activation_before_the_journal_closes()
    {
        var keys = Enumerable.Range(0, 5).Select(_ => NewKey()).ToList();
        await using (var cluster = await StartClusterAsync(options => options.SnapshotInterval = 1_000))
        {
            foreach (var key in keys)
            {
                Assert.True(await cluster.Tally(key).TryAddAsync(["a", "b", "c"]));
            }
        }

        foreach (var key in keys)
        {
            Assert.Equal(3, (await Store.ReadSnapshotAsync($"tally/{key}", CancellationToken.None))?.Version);
        }
    }

    [Fact]
    public async Task An_activation_reads_the_snapshot_and_then_only_the_events_after_it()
    {
        var key = NewKey();
        var stream = $"tally/{key}";
        await Store.AppendAsync(new JournalAppend(stream, 1, "a1", [Added("e1"), Added("e2"), Added("e3")]));
        await Store.WriteSnapshotAsync(stream, new StoredSnapshot(3, """{"entries":["from the snapshot"],"erasures":0}"""));
        await Store.AppendAsync(new JournalAppend(stream, 4, "a2", [Added("e4")]));

        await using var cluster = await StartClusterAsync();
        var view = await cluster.Tally(key).GetAsync();

        // The fold of events 1-3 would be e1, e2, e3: the snapshot stood in for them.
        Assert.Equal(4, view.Version);
        Assert.Equal(["from the snapshot", "e4"], view.Entries);
    }

    [Fact]
    public async Task Erasure_keeps_the_sequence_numbers_and_leaves_no_byte_of_the_earlier_events_content()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Tally(NewKey());
        var secrets = Enumerable.Range(1, 3).Select(n => $"secret-{n}-{Guid.NewGuid():N}").ToList();
        Assert.True(await grain.TryAddAsync(secrets[..2]));
        Assert.True(await grain.TryAddAsync(secrets[2..]));
        Assert.True(await Backend.StoresTextAsync(secrets[0]));

        await grain.EraseAsync();
        Assert.True(await grain.TryAddAsync(["after"]));

        foreach (var secret in secrets)
        {
            Assert.False(await Backend.StoresTextAsync(secret), $"{secret} is still stored.");
        }

        Assert.True(await Backend.StoresTextAsync("after"));
        Assert.Equal([4L, 5L], EventJournalStoreContract.Seqs(await ReadAllAsync(grain)));
        Assert.Equal(AppendResult.Conflict, await Store.AppendAsync(new JournalAppend(StreamOf(grain), 1, "stale", [Added("stale")])));
        Assert.Equal(["(erased)", "after"], await grain.GetHistoryAsync(0, 5));
        Assert.Empty(await grain.GetHistoryAsync(0, 3));
        await cluster.DeactivateAsync(grain);
        var reactivated = await grain.GetAsync();
        Assert.Equal((5, 1), (reactivated.Version, reactivated.Erasures));
        Assert.Equal(["after"], reactivated.Entries);
    }

    [Fact]
    public async Task An_erasing_event_inside_a_batch_erases_the_events_before_it_and_keeps_those_after_it()
    {
        await using var cluster = await StartClusterAsync();
        var key = NewKey();
        var (old, before, after) = ($"old-{Guid.NewGuid():N}", $"before-{Guid.NewGuid():N}", $"after-{Guid.NewGuid():N}");
        Assert.True(await cluster.Tally(key).TryAddAsync([old]));

        Assert.True(await cluster.Tally(key).TryAddAroundErasureAsync(before, after));

        Assert.False(await Backend.StoresTextAsync(old));
        Assert.False(await Backend.StoresTextAsync(before));
        Assert.True(await Backend.StoresTextAsync(after));
        Assert.Equal(3, (await Store.ReadSnapshotAsync(StreamOf(cluster.Tally(key)), CancellationToken.None))?.Version);
        await using var other = await StartClusterAsync();
        var replayed = await other.Tally(key).GetAsync();
        Assert.Equal((4, 1), (replayed.Version, replayed.Erasures));
        Assert.Equal([after], replayed.Entries);
        Assert.Equal(["(erased)", after], await other.Tally(key).GetHistoryAsync(0, 4));
    }

    [Fact]
    public async Task An_activation_completes_an_erasure_whose_event_was_appended_but_not_carried_out()
    {
        // As if the silo died between appending the erasing event and erasing: the events are stored, nothing is erased.
        var key = NewKey();
        var stream = $"tally/{key}";
        var secret = $"secret-{Guid.NewGuid():N}";
        await Store.AppendAsync(new JournalAppend(stream, 1, "a1", [Added(secret), Added("two")]));
        await Store.AppendAsync(new JournalAppend(stream, 3, "a2", [new NewEvent("entries_erased", """{"type":"entries_erased"}"""), Added("after")]));

        await using var cluster = await StartClusterAsync();
        var view = await cluster.Tally(key).GetAsync();

        Assert.Equal((4, 1), (view.Version, view.Erasures));
        Assert.Equal(["after"], view.Entries);
        Assert.False(await Backend.StoresTextAsync(secret));
        Assert.Equal(3, (await Store.ReadSnapshotAsync(stream, CancellationToken.None))?.Version);
        Assert.Equal([3L, 4L], EventJournalStoreContract.Seqs(await ReadAllAsync(cluster.Tally(key))));
    }

    [Fact]
    public async Task A_stale_activation_catches_up_over_an_erased_range_from_the_snapshot_stored_before_the_erasure()
    {
        await using var first = await StartClusterAsync();
        await using var second = await StartClusterAsync();
        var key = NewKey();
        Assert.True(await first.Tally(key).TryAddAsync(["one"]));
        Assert.Equal(1, (await second.Tally(key).GetAsync()).Version);
        Assert.True(await first.Tally(key).TryAddAsync(["two"]));
        await first.Tally(key).EraseAsync();
        Assert.True(await first.Tally(key).TryAddAsync(["three"]));

        var caughtUp = await second.Tally(key).RefreshAsync();

        Assert.Equal((4, 1), (caughtUp.Version, caughtUp.Erasures));
        Assert.Equal(["three"], caughtUp.Entries);
        Assert.True(await second.Tally(key).TryAddAsync(["four"]));
        Assert.Equal(["three", "four"], (await ReadAllAsync(second.Tally(key))).Skip(1).Select(EntryOf));
    }

    [Fact]
    public async Task Compaction_erases_the_content_the_view_no_longer_wants_up_to_each_snapshot_and_keeps_the_fence()
    {
        await using var cluster = await StartClusterAsync(KeepLastThreeEvents);
        var grain = cluster.Tally(NewKey());
        for (var n = 1; n <= 12; n++)
        {
            Assert.True(await grain.TryAddAsync([$"e{n}"]));
        }

        // Snapshots at 5 and 10: the view let go of events through 2, then through 7.
        Assert.Equal([8L, 9L, 10L, 11L, 12L], EventJournalStoreContract.Seqs(await ReadAllAsync(grain)));
        Assert.Equal(["e8", "e9", "e10", "e11", "e12"], await grain.GetHistoryAsync(7, 12));
        Assert.Equal(AppendResult.Conflict, await Store.AppendAsync(new JournalAppend(StreamOf(grain), 1, "stale", [Added("stale")])));
        Assert.Equal(AppendResult.Conflict, await Store.AppendAsync(new JournalAppend(StreamOf(grain), 7, "stale", [Added("stale")])));

        await using (var other = await StartClusterAsync(KeepLastThreeEvents))
        {
            var replayed = await other.Tally(grain.GetPrimaryKeyString()).GetAsync();
            Assert.Equal(12, replayed.Version);
            Assert.Equal(Enumerable.Range(1, 12).Select(n => $"e{n}"), replayed.Entries);
        }

        // A deactivation snapshot (version 12, of either activation) compacts too: through 9.
        await cluster.DeactivateAsync(grain);
        await Eventually.TrueAsync(
            async () => EventJournalStoreContract.Seqs(await ReadAllAsync(grain)).SequenceEqual([10L, 11L, 12L]),
            because: "the deactivation snapshot's compaction erases events 8 and 9");
        Assert.Equal(Enumerable.Range(1, 12).Select(n => $"e{n}"), (await grain.GetAsync()).Entries);
    }

    [Fact]
    public async Task Retrieving_confirmed_events_returns_those_after_the_first_version_through_the_second()
    {
        await using var cluster = await StartClusterAsync();
        var grain = cluster.Tally(NewKey());
        Assert.True(await grain.TryAddAsync(["e1", "e2", "e3", "e4"]));
        Assert.True(await grain.TryAddAsync(["e5", "e6", "e7"]));
        Assert.True(await grain.TryAddAsync(["e8", "e9", "e10"]));

        Assert.Equal(["e3", "e4", "e5", "e6"], await grain.GetHistoryAsync(2, 6));
        Assert.Equal(Enumerable.Range(1, 10).Select(n => $"e{n}"), await grain.GetHistoryAsync(0, 10));
        Assert.Equal(["e10"], await grain.GetHistoryAsync(9, 10));
        Assert.Empty(await grain.GetHistoryAsync(5, 5));
    }

    [Fact]
    public async Task Appends_conflicts_and_storage_calls_are_measured_and_a_conflict_is_logged_with_the_grain_and_version()
    {
        using var measurements = new JournalMeasurements();
        var logs = new CapturedLogs();
        await using var first = await StartClusterAsync();
        await using var second = await StartClusterAsync(configureSilo: silo => silo.Services.AddSingleton<ILoggerProvider>(logs));
        var key = NewKey();
        await second.Tally(key).GetAsync();

        Assert.True(await first.Tally(key).TryAddAsync(["first", "second"]));
        Assert.False(await second.Tally(key).TryAddAsync(["lost"]));

        var provider = ("provider", Backend.Provider);
        Assert.True(measurements.Sum("userdata.journal.appends", provider) >= 2);
        Assert.True(measurements.Sum("userdata.journal.conflicts", provider) >= 1);
        Assert.True(measurements.Count("userdata.storage.operation.duration", provider, ("store", "journal"), ("operation", "append")) >= 2);
        Assert.True(measurements.Count("userdata.storage.operation.duration", provider, ("store", "journal"), ("operation", "read")) >= 2);
        var conflict = Assert.Single(logs.Entries, entry => entry.Message.Contains("conflicted", StringComparison.Ordinal));
        Assert.Equal(second.Tally(key).GetGrainId(), conflict.Fields["GrainId"]);
        Assert.Equal(0, conflict.Fields["Version"]);
    }

    [Fact]
    public async Task The_journal_registers_a_storage_health_check_that_reports_it_healthy()
    {
        await using var cluster = await StartClusterAsync();

        var report = await cluster.GetSiloService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains("storage"));

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries[$"event-journal-{JournalBackend.ProviderName}"].Status);
    }

    [Fact]
    public async Task Invalid_options_stop_the_silo_with_a_message_naming_the_journal_and_the_setting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartClusterAsync(options => options.SnapshotInterval = 0));

        Assert.Contains($"Event journal '{JournalBackend.ProviderName}'", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("SnapshotInterval must be at least 1", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A snapshot every 5 events, and a view that wants the content of its last three events only.</summary>
    private static void KeepLastThreeEvents(IEventJournalOptions options)
    {
        options.SnapshotInterval = 5;
        options.CompactableThrough = view => ((TallyState)view).Entries.Count - 3;
    }

    protected Task<JournalCluster> StartClusterAsync(Action<IEventJournalOptions>? configure = null, Action<ISiloBuilder>? configureSilo = null) =>
        JournalCluster.StartAsync(Backend, configure, configureSilo);

    protected static string NewKey() => Guid.NewGuid().ToString("N");

    protected static string StreamOf(ITallyGrain grain) => grain.GetGrainId().ToString();

    internal Task<IReadOnlyList<StoredEvent>> ReadAllAsync(ITallyGrain grain) =>
        Store.ReadAsync(StreamOf(grain), 0, long.MaxValue, 100_000, CancellationToken.None);

    internal static string EntryOf(StoredEvent stored) => JsonDocument.Parse(stored.Text()).RootElement.GetProperty("entry").GetString()!;

    internal static NewEvent Added(string entry) => new("entry_added", JsonSerializer.Serialize(new { type = "entry_added", entry }));
}
