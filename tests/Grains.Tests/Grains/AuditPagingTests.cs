using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using UserData.Grains.Common;
using UserData.Grains.Requests;
using UserData.Grains.Users;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Grains.Tests.Grains;

/// <summary>GET /me/audit pages: the same entries as the full trail, read from storage near the page only.</summary>
public class AuditPagingTests
{
    private const int ProfileUpdates = 230;

    [Fact]
    public async Task Every_page_matches_the_full_trail_and_a_page_reads_only_near_itself()
    {
        var counting = new CountingStorage();
        await using var cluster = await UserDataCluster.StartAsync(configure: counting.Install);
        var user = cluster.Grains.GetGrain<IUserGrain>((await cluster.RegisterAsync("audit-pages@example.com")).Value.Id);
        for (var i = 0; i < ProfileUpdates; i++)
        {
            await user.UpdateProfileAsync(new UpdateProfileRequest { DisplayName = new Optional<string>($"name {i}") }, null, UserDataCluster.Request);
            if (i % 7 == 0)
            {
                // Bookkeeping events between the audit entries: a session start is no audit entry.
                await user.StartSessionAsync(new SessionGrant($"family-{i}", RefreshTokens.Hash("secret"), "jti", TimeSpan.FromDays(1)), null, UserDataCluster.Request);
            }
        }

        var full = (await user.ExportAsync()).Audit.Select(entry => entry.Seq).ToList();
        Assert.Equal(ProfileUpdates + 1, full.Count);
        foreach (var (limit, offset) in new[] { (20, 0), (100, 0), (1, 0), (7, 93), (100, 100), (100, 131), (5, 226), (10, 231), (100, 300), (3, 99) })
        {
            var page = await user.ListAuditAsync(new PageQuery(limit, offset));

            Assert.Equal(full.Count, page.Total);
            Assert.Equal(full.Skip(offset).Take(limit), page.Items.Select(entry => entry.Seq));
        }

        counting.EventsRead = 0;
        var newest = await user.ListAuditAsync(new PageQuery(10, 0));
        Assert.Equal(10, newest.Items.Count);
        Assert.InRange(counting.EventsRead, 10, 10 + (2 * UserState.AuditMarkInterval));
    }

    [Fact]
    public async Task A_state_restored_from_a_snapshot_without_audit_marks_still_pages_correctly()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var userId = (await cluster.RegisterAsync("audit-legacy@example.com")).Value.Id;
        for (var i = 0; i < 30; i++)
        {
            await cluster.Grains.GetGrain<IUserGrain>(userId).UpdateProfileAsync(new UpdateProfileRequest { DisplayName = new Optional<string>($"name {i}") }, null, UserDataCluster.Request);
        }

        // Stopping the silo snapshots the user; the snapshot is then rewritten as one from before the audit marks.
        await cluster.Cluster.Silos[0].StopAsync();
        var silo = await cluster.Cluster.AddSiloAsync();
        var storage = silo.Services.GetRequiredService<IJournalStorage>();
        var grainId = new GrainId("user", userId);
        var snapshot = (await storage.ReadSnapshotAsync(grainId))!;
        var json = JsonNode.Parse(snapshot.Json)!.AsObject();
        Assert.True(json.Remove("applied_events") && json.Remove("audit_count") && json.Remove("audit_marks"));
        await storage.WriteSnapshotAsync(grainId, snapshot with { Json = json.ToJsonString() });
        Assert.DoesNotContain("applied_events", (await storage.ReadSnapshotAsync(grainId))!.Json, StringComparison.Ordinal);
        var user = silo.GrainFactory.GetGrain<IUserGrain>(userId);
        await user.UpdateProfileAsync(new UpdateProfileRequest { DisplayName = new Optional<string>("after") }, null, UserDataCluster.Request);

        var full = (await user.ExportAsync()).Audit.Select(entry => entry.Seq).ToList();
        var page = await user.ListAuditAsync(new PageQuery(5, 3));

        Assert.Equal(32, full.Count);
        Assert.Equal(full.Count, page.Total);
        Assert.Equal(full.Skip(3).Take(5), page.Items.Select(entry => entry.Seq));
    }

    /// <summary>Counts the events the journal reads return, by wrapping the registered storage.</summary>
    private sealed class CountingStorage
    {
        public long EventsRead { get; set; }

        public void Install(IServiceCollection services)
        {
            var registered = services.Last(service => service.ServiceType == typeof(IJournalStorage));
            services.Remove(registered);
            services.AddSingleton<IJournalStorage>(provider => new Counting((IJournalStorage)registered.ImplementationFactory!(provider), this));
        }

        private sealed class Counting(IJournalStorage inner, CountingStorage counter) : IJournalStorage
        {
            public string Provider => inner.Provider;

            public Task AppendAsync(GrainId grainId, long expectedVersion, IReadOnlyList<string> events, CancellationToken cancellationToken = default) =>
                inner.AppendAsync(grainId, expectedVersion, events, cancellationToken);

            public async Task<IReadOnlyList<StoredEvent>> ReadAsync(GrainId grainId, long afterSeq, int maxCount, CancellationToken cancellationToken = default)
            {
                var events = await inner.ReadAsync(grainId, afterSeq, maxCount, cancellationToken);
                counter.EventsRead += events.Count;
                return events;
            }

            public Task RedactAsync(GrainId grainId, long throughSeq, CancellationToken cancellationToken = default) => inner.RedactAsync(grainId, throughSeq, cancellationToken);

            public Task<StoredSnapshot?> ReadSnapshotAsync(GrainId grainId, CancellationToken cancellationToken = default) => inner.ReadSnapshotAsync(grainId, cancellationToken);

            public Task WriteSnapshotAsync(GrainId grainId, StoredSnapshot snapshot, CancellationToken cancellationToken = default) =>
                inner.WriteSnapshotAsync(grainId, snapshot, cancellationToken);

            public Task CheckHealthAsync(CancellationToken cancellationToken = default) => inner.CheckHealthAsync(cancellationToken);
        }
    }
}
