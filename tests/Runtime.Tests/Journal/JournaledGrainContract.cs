using Microsoft.Extensions.DependencyInjection;
using UserData.JournalWriter;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;
using UserData.Runtime.Journal;
using UserData.Runtime.Testing;
using UserData.TestSupport;

namespace UserData.Runtime.Tests.Journal;

/// <summary>
/// Journaled grains on a real store, run once per adapter. Every silo gets its own storage instance on
/// the same store, as separate processes would.
/// </summary>
public abstract class JournaledGrainContract
{
    /// <summary>A new storage instance on this test class's store.</summary>
    protected abstract IJournalStorage CreateStorage();

    private Task<TestCluster> StartAsync(int silos, Action<GrainRuntimeOptions>? configure = null) =>
        TestCluster.StartAsync(
            silos,
            services =>
            {
                services.AddSingleton(_ => CreateStorage());
                new GrainRuntimeBuilder(services).AddGrain<ITallyGrain, TallyGrain>();
            },
            configure);

    private static string NewKey() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task State_is_rebuilt_from_the_journal_on_the_next_activation()
    {
        await using var cluster = await StartAsync(1);
        var tally = cluster.GrainFactory.GetGrain<ITallyGrain>(NewKey());
        await tally.AddAsync("a");
        await tally.AddManyAsync(["b", "c"]);
        var before = await tally.GetAsync();

        await tally.DeactivateAsync();
        await Eventually.TrueAsync(() => cluster.Silos[0].ActivationCount == 0);
        var after = await tally.GetAsync();

        Assert.Equal(3, after.Version);
        Assert.Equal(["a", "b", "c"], after.Entries);
        Assert.NotEqual(before.ActivationId, after.ActivationId);
    }

    [Fact]
    public async Task An_idle_grain_is_collected_and_the_next_call_finds_its_state_intact()
    {
        await using var cluster = await StartAsync(1, options =>
        {
            options.CollectionAge = TimeSpan.FromMilliseconds(100);
            options.CollectionQuantum = TimeSpan.FromMilliseconds(20);
        });
        var tally = cluster.GrainFactory.GetGrain<ITallyGrain>(NewKey());
        await tally.AddAsync("kept");
        var first = await tally.GetAsync();

        await Eventually.TrueAsync(() => cluster.Silos[0].ActivationCount == 0);
        var second = await tally.GetAsync();

        Assert.NotEqual(first.ActivationId, second.ActivationId);
        Assert.Equal(["kept"], second.Entries);
    }

    [Fact]
    public async Task Snapshots_are_written_every_N_events_and_at_deactivation_and_replay_continues_from_them()
    {
        var key = NewKey();
        var grainId = new GrainId("tally", key);
        var storage = CreateStorage();
        await using var cluster = await StartAsync(1, options => options.SnapshotInterval = 5);
        var tally = cluster.GrainFactory.GetGrain<ITallyGrain>(key);

        for (var i = 1; i <= 12; i++)
        {
            await tally.AddAsync($"e{i}");
        }

        Assert.Equal(10, (await storage.ReadSnapshotAsync(grainId))?.Version);
        await tally.DeactivateAsync();
        await Eventually.TrueAsync(() => cluster.Silos[0].ActivationCount == 0);
        Assert.Equal(12, (await storage.ReadSnapshotAsync(grainId))?.Version);

        await storage.AppendAsync(grainId, 12, ["""{"type":"entry.added","entry":"e13"}"""]);
        var rebuilt = await tally.GetAsync();
        Assert.Equal(13, rebuilt.Version);
        Assert.Equal(Enumerable.Range(1, 13).Select(i => $"e{i}"), rebuilt.Entries);
    }

    [Fact]
    public async Task A_stopping_silo_finishes_queued_calls_snapshots_every_grain_and_then_refuses_calls()
    {
        var keys = Enumerable.Range(0, 5).Select(_ => NewKey()).ToList();
        await using var cluster = await StartAsync(1);
        var silo = cluster.Silos[0];
        var calls = keys.SelectMany(key => Enumerable.Range(1, 20).Select(n => silo.GrainFactory.GetGrain<ITallyGrain>(key).AddAsync($"e{n}"))).ToList();

        await silo.StopAsync();

        Assert.All(calls, call => Assert.True(call.IsCompletedSuccessfully));
        var storage = CreateStorage();
        foreach (var key in keys)
        {
            Assert.Equal(20, (await storage.ReadSnapshotAsync(new GrainId("tally", key)))?.Version);
        }

        Assert.Equal(0, silo.ActivationCount);
        await Assert.ThrowsAsync<SiloUnavailableException>(() => silo.GrainFactory.GetGrain<ITallyGrain>(keys[0]).AddAsync("late"));
    }

    [Fact]
    public async Task Events_are_stored_as_readable_json_and_the_grain_reads_its_own_history()
    {
        var key = NewKey();
        await using var cluster = await StartAsync(1);
        var tally = cluster.GrainFactory.GetGrain<ITallyGrain>(key);
        await tally.AddAsync("first");
        await tally.AddAsync("second");

        var stored = await CreateStorage().ReadAsync(new GrainId("tally", key), 0, 10);

        Assert.Equal("""{"type":"entry.added","entry":"first"}""", stored[0].Json);
        Assert.Equal(["1:first", "2:second"], await tally.GetHistoryAsync());
    }

    [Fact]
    public async Task Erased_history_leaves_no_event_content_in_storage_and_still_fences_a_stale_activation()
    {
        var key = NewKey();
        var grainId = new GrainId("tally", key);
        await using var cluster = await StartAsync(2);
        var onA = cluster.Silos[0].GrainFactory.GetGrain<ITallyGrain>(key);
        var onB = cluster.Silos[1].GrainFactory.GetGrain<ITallyGrain>(key);
        await onA.AddManyAsync(["secret-1", "secret-2"]);
        Assert.Equal(2, (await onB.GetAsync()).Version);

        await onA.EraseAsync();

        var storage = CreateStorage();
        Assert.Empty(await storage.ReadAsync(grainId, 0, 100));
        var snapshot = await storage.ReadSnapshotAsync(grainId);
        Assert.Equal(3, snapshot?.Version);
        Assert.DoesNotContain("secret", snapshot!.Json, StringComparison.Ordinal);
        Assert.Equal(4, await onB.AddAsync("after")); // B was stale at version 2: fenced, then retried
        Assert.Equal(["after"], (await onB.GetAsync()).Entries);
        Assert.Equal(["4:after"], await onB.GetHistoryAsync());
    }

    [Fact]
    public async Task A_stale_activation_deactivates_and_the_call_is_retried_on_a_fresh_activation()
    {
        var key = NewKey();
        await using var cluster = await StartAsync(2);
        var onA = cluster.Silos[0].GrainFactory.GetGrain<ITallyGrain>(key);
        var onB = cluster.Silos[1].GrainFactory.GetGrain<ITallyGrain>(key);
        await onA.AddAsync("a1");
        var staleActivation = (await onA.GetAsync()).ActivationId;
        await onB.AddAsync("b1");

        var version = await onA.AddAsync("a2");

        Assert.Equal(3, version);
        var fresh = await onA.GetAsync();
        Assert.NotEqual(staleActivation, fresh.ActivationId);
        Assert.Equal(["a1", "b1", "a2"], fresh.Entries);
        Assert.Equal(["1:a1", "2:b1", "3:a2"], await onB.GetHistoryAsync());
    }

    [Fact]
    public async Task Two_silos_writing_one_grain_never_share_a_sequence_number_nor_lose_an_acknowledged_write()
    {
        var key = NewKey();
        await using var cluster = await StartAsync(2);
        var writes = Enumerable.Range(0, 200).Select(i =>
        {
            var silo = cluster.Silos[i % 2];
            var entry = $"w{i}";
            return Task.Run(async () =>
            {
                try
                {
                    await silo.GrainFactory.GetGrain<ITallyGrain>(key).AddAsync(entry);
                    return (entry, acknowledged: true);
                }
                catch (StaleActivationException)
                {
                    // Stale twice in a row: the call is refused and nothing was written for it.
                    return (entry, acknowledged: false);
                }
            });
        }).ToList();

        var outcomes = await Task.WhenAll(writes);

        var journal = await CreateStorage().ReadAsync(new GrainId("tally", key), 0, 1_000);
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(seq => (long)seq), journal.Select(e => e.Seq));
        var written = journal.Select(e => System.Text.Json.JsonDocument.Parse(e.Json).RootElement.GetProperty("entry").GetString()).ToList();
        Assert.Equal(written.Count, written.Distinct().Count());
        var acknowledged = outcomes.Where(o => o.acknowledged).Select(o => o.entry).ToHashSet();
        Assert.NotEmpty(acknowledged);
        Assert.Equal(acknowledged.Order(), written.Order());
    }
}
