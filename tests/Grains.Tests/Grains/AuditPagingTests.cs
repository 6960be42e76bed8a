using System.Diagnostics.Metrics;
using UserData.Grains.Common;
using UserData.Grains.Requests;
using UserData.Grains.Users;
using UserData.Providers.Diagnostics;

namespace UserData.Grains.Tests.Grains;

/// <summary>
/// GET /me/audit pages: the same entries as the full trail, read from storage near the page only. Alone in its
/// collection, so that no other test's journal reads land in the count.
/// </summary>
[Collection(nameof(AuditPagingTests))]
public class AuditPagingTests
{
    private const int ProfileUpdates = 230;

    [Fact]
    public async Task Every_page_matches_the_full_trail_and_a_page_reads_only_near_itself()
    {
        await using var cluster = await UserDataCluster.StartAsync();
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

        var full = (await ExportSlices.AuditAsync(user)).Select(entry => entry.Seq).ToList();
        Assert.Equal(ProfileUpdates + 1, full.Count);
        foreach (var (limit, offset) in new[] { (20, 0), (100, 0), (1, 0), (7, 93), (100, 100), (100, 131), (5, 226), (10, 231), (100, 300), (3, 99) })
        {
            var page = await user.ListAuditAsync(new PageQuery(limit, offset));

            Assert.Equal(full.Count, page.Total);
            Assert.Equal(full.Skip(offset).Take(limit), page.Items.Select(entry => entry.Seq));
        }

        using var eventsRead = new EventsReadCounter();
        var newest = await user.ListAuditAsync(new PageQuery(10, 0));
        Assert.Equal(10, newest.Items.Count);
        Assert.InRange(eventsRead.Total, 10, 10 + (2 * UserState.AuditMarkInterval));
    }

    /// <summary>Counts the events the journal reads back from storage (the providers' <c>userdata.journal.events.read</c>) while it lives.</summary>
    private sealed class EventsReadCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public EventsReadCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ProviderInstruments.MeterName && instrument.Name == "userdata.journal.events.read")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}

[CollectionDefinition(nameof(AuditPagingTests), DisableParallelization = true)]
public sealed class AuditPagingCollection;
