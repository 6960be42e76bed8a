using System.Net;
using Amazon.DynamoDBv2.Model;
using Orleans;
using Orleans.Runtime;
using UserData.Providers.DynamoDB.Clustering;

namespace UserData.Providers.Tests.Clustering;

/// <summary>Orleans' membership table contract, on DynamoDB Local.</summary>
public sealed class DynamoDBMembershipTableTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task An_initialized_cluster_reads_empty_at_version_zero()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();

        var data = await table.ReadAllAsync(None);

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.False(string.IsNullOrEmpty(data.Version.VersionEtag));
    }

    [Fact]
    public async Task Initializing_again_keeps_the_version_row()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        Assert.True(await table.InsertAtNextVersionAsync(MembershipTestTable.NewEntry()));
        var before = (await table.ReadAllAsync(None)).Version;

        using var second = await test.MembershipAsync();

        Assert.Equal(before, (await second.ReadAllAsync(None)).Version);
    }

    [Fact]
    public async Task An_inserted_row_reads_back_as_written_with_the_table_version_advanced()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var empty = await table.ReadAllAsync(None);
        var entry = MembershipTestTable.NewEntry(SiloStatus.Active);
        entry.RoleName = "silo-role";
        entry.UpdateZone = 2;
        entry.FaultZone = 3;
        entry.AddSuspector(MembershipTestTable.NewEntry().SiloAddress, DateTime.UtcNow.AddSeconds(-1));
        entry.AddSuspector(MembershipTestTable.NewEntry().SiloAddress, DateTime.UtcNow);

        Assert.True(await table.InsertRowAsync(entry, empty.Version.Next(), None));

        var all = await table.ReadAllAsync(None);
        var row = await table.ReadRowAsync(entry.SiloAddress, None);
        Assert.Equal(1, all.Version.Version);
        Assert.NotEqual(empty.Version.VersionEtag, all.Version.VersionEtag);
        Assert.Equal(all.Version, row.Version);
        var (read, etag) = Assert.Single(all.Members);
        Assert.Equal(entry.ToFullString(), read.ToFullString());
        Assert.Equal(entry.SuspectTimes, read.SuspectTimes);
        Assert.Equal(entry.IAmAliveTime, read.IAmAliveTime);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(etag, Assert.Single(row.Members).Item2);
    }

    [Fact]
    public async Task A_row_is_stored_in_readable_attributes()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var entry = MembershipTestTable.NewEntry(SiloStatus.Active);
        var suspecter = MembershipTestTable.NewEntry().SiloAddress;
        entry.AddSuspector(suspecter, new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc));
        Assert.True(await table.InsertAtNextVersionAsync(entry));

        var item = (await test.Client.GetItemAsync(test.TableName, MembershipRows.Key(test.ClusterId, entry.SiloAddress))).Item;

        Assert.Equal(entry.SiloAddress.ToParsableString(), item["silo"].S);
        Assert.Equal("Active", item["status"].S);
        Assert.Equal(entry.SiloName, item["silo_name"].S);
        Assert.Equal("test-host", item["host_name"].S);
        Assert.Equal("30000", item["proxy_port"].N);
        Assert.EndsWith("Z", item["start_time"].S, StringComparison.Ordinal);
        var vote = Assert.Single(item["suspect_times"].L).M;
        Assert.Equal(suspecter.ToParsableString(), vote["silo"].S);
        Assert.Equal("2026-11-30T12:00:00.0000000Z", vote["time"].S);
    }

    [Fact]
    public async Task Reading_an_absent_silo_returns_the_version_and_no_row()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        Assert.True(await table.InsertAtNextVersionAsync(MembershipTestTable.NewEntry()));

        var data = await table.ReadRowAsync(MembershipTestTable.NewEntry().SiloAddress, None);

        Assert.Empty(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task Inserting_the_same_silo_twice_is_refused()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var entry = MembershipTestTable.NewEntry();
        Assert.True(await table.InsertAtNextVersionAsync(entry));

        var second = await table.InsertAtNextVersionAsync(entry);

        Assert.False(second);
        var data = await table.ReadAllAsync(None);
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task An_insert_with_a_stale_table_version_is_refused_and_changes_nothing()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var stale = (await table.ReadAllAsync(None)).Version.Next();
        Assert.True(await table.InsertRowAsync(MembershipTestTable.NewEntry(), stale, None));
        var newcomer = MembershipTestTable.NewEntry();

        Assert.False(await table.InsertRowAsync(newcomer, stale, None));

        var data = await table.ReadAllAsync(None);
        Assert.Single(data.Members);
        Assert.Null(data.TryGet(newcomer.SiloAddress));
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task An_update_with_a_stale_row_etag_or_a_stale_table_version_is_refused()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var entry = MembershipTestTable.NewEntry();
        var inserted = (await table.ReadAllAsync(None)).Version.Next();
        Assert.True(await table.InsertRowAsync(entry, inserted, None));
        var read = await table.ReadAllAsync(None);
        var etag = read.TryGet(entry.SiloAddress)!.Item2;

        Assert.False(await table.UpdateRowAsync(entry, etag, inserted, None), "the table version is stale");

        entry.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRowAsync(entry, etag, read.Version.Next(), None));
        var updated = await table.ReadAllAsync(None);
        Assert.False(await table.UpdateRowAsync(entry, etag, updated.Version.Next(), None), "the row etag is stale");

        var final = await table.ReadAllAsync(None);
        Assert.Equal(2, final.Version.Version);
        Assert.Equal(SiloStatus.Active, final.TryGet(entry.SiloAddress)!.Item1.Status);
        Assert.NotEqual(etag, final.TryGet(entry.SiloAddress)!.Item2);
    }

    [Fact]
    public async Task An_update_of_an_absent_row_is_refused_and_creates_none()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var entry = MembershipTestTable.NewEntry();

        Assert.False(await table.UpdateRowAsync(entry, "no-such-etag", (await table.ReadAllAsync(None)).Version.Next(), None));

        var data = await table.ReadAllAsync(None);
        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
    }

    [Fact]
    public async Task Writes_to_a_cluster_without_a_version_row_are_refused()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = test.Membership();
        await table.InitializeMembershipTableAsync(false, None);

        var data = await table.ReadAllAsync(None);
        Assert.Equal(MembershipRows.NoVersion, data.Version);
        Assert.False(await table.InsertRowAsync(MembershipTestTable.NewEntry(), data.Version.Next(), None));
        Assert.Empty((await table.ReadAllAsync(None)).Members);
    }

    [Fact]
    public async Task Concurrent_inserts_on_one_table_version_have_exactly_one_winner()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        for (var round = 1; round <= 5; round++)
        {
            var version = (await table.ReadAllAsync(None)).Version;
            var entries = Enumerable.Range(0, 8).Select(_ => MembershipTestTable.NewEntry()).ToList();

            var results = await Task.WhenAll(entries.Select(entry => Task.Run(() => table.InsertRowAsync(entry, version.Next(), None))));

            Assert.Single(results, won => won);
            var data = await table.ReadAllAsync(None);
            Assert.Equal(version.Version + 1, data.Version.Version);
            Assert.Equal(round, data.Members.Count);
            Assert.NotNull(data.TryGet(entries[Array.IndexOf(results, true)].SiloAddress));
        }
    }

    [Fact]
    public async Task Concurrent_updates_on_one_table_version_have_exactly_one_winner()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var entries = Enumerable.Range(0, 4).Select(_ => MembershipTestTable.NewEntry()).ToList();
        foreach (var entry in entries)
        {
            Assert.True(await table.InsertAtNextVersionAsync(entry));
        }

        for (var round = 1; round <= 5; round++)
        {
            var read = await table.ReadAllAsync(None);

            // Every silo's row updated at once, each against the same table version: one table version, one winner.
            var results = await Task.WhenAll(read.Members.Select(member => Task.Run(() =>
            {
                var changed = MembershipTestTable.Copy(member.Item1, entry => entry.Status = SiloStatus.Active);
                return table.UpdateRowAsync(changed, member.Item2, read.Version.Next(), None);
            })));

            Assert.Single(results, won => won);
            var data = await table.ReadAllAsync(None);
            Assert.Equal(read.Version.Version + 1, data.Version.Version);
            var changedRows = data.Members.Where(member => member.Item2 != read.TryGet(member.Item1.SiloAddress)!.Item2).ToList();
            Assert.Single(changedRows);
            foreach (var member in data.Members.Except(changedRows))
            {
                Assert.Equal(read.TryGet(member.Item1.SiloAddress)!.Item1.ToFullString(), member.Item1.ToFullString());
            }

            foreach (var member in data.Members)
            {
                member.Item1.Status = SiloStatus.Joining;
                Assert.True(await table.UpdateRowAsync(member.Item1, member.Item2, (await table.ReadAllAsync(None)).Version.Next(), None));
            }
        }
    }

    [Fact]
    public async Task Racing_writers_that_retry_on_refusal_all_land_one_version_each()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var entry = MembershipTestTable.NewEntry();
        Assert.True(await table.InsertAtNextVersionAsync(entry));

        // Like Orleans' silos: read, try, and on false read again; each writer lands exactly once.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(writer => Task.Run(async () =>
        {
            while (true)
            {
                var read = await table.ReadAllAsync(None);
                var row = read.TryGet(entry.SiloAddress)!;
                row.Item1.AddSuspector(MembershipTestTable.NewEntry().SiloAddress, DateTime.UtcNow);
                if (await table.UpdateRowAsync(row.Item1, row.Item2, read.Version.Next(), None))
                {
                    return;
                }
            }
        })));

        var data = await table.ReadAllAsync(None);
        Assert.Equal(7, data.Version.Version);
        Assert.Equal(6, data.TryGet(entry.SiloAddress)!.Item1.SuspectTimes!.Count);
    }

    [Fact]
    public async Task The_version_advances_by_one_per_write_and_heartbeats_change_neither_version_nor_etag()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var entry = MembershipTestTable.NewEntry();
        Assert.True(await table.InsertAtNextVersionAsync(entry));
        for (var expected = 2; expected <= 5; expected++)
        {
            var read = await table.ReadAllAsync(None);
            var (current, etag) = read.TryGet(entry.SiloAddress)!;
            var alive = current.IAmAliveTime.AddSeconds(expected);

            await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = alive }, None);

            var afterHeartbeat = await table.ReadAllAsync(None);
            Assert.Equal(read.Version, afterHeartbeat.Version);
            Assert.Equal(etag, afterHeartbeat.TryGet(entry.SiloAddress)!.Item2);
            Assert.Equal(alive, afterHeartbeat.TryGet(entry.SiloAddress)!.Item1.IAmAliveTime);
            Assert.Equal(MembershipTestTable.Copy(current, e => e.IAmAliveTime = alive).ToFullString(), afterHeartbeat.TryGet(entry.SiloAddress)!.Item1.ToFullString());

            // The etag and version read before the heartbeat still carry the update.
            current.Status = SiloStatus.Active;
            Assert.True(await table.UpdateRowAsync(current, etag, read.Version.Next(), None));
            Assert.Equal(expected, (await table.ReadAllAsync(None)).Version.Version);
        }
    }

    [Fact]
    public async Task Updates_succeed_while_the_silo_heartbeats_concurrently()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var entry = MembershipTestTable.NewEntry();
        Assert.True(await table.InsertAtNextVersionAsync(entry));
        using var stop = new CancellationTokenSource();
        var heartbeats = 0;
        var heartbeat = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = entry.SiloAddress, IAmAliveTime = DateTime.UtcNow }, None);
                Interlocked.Increment(ref heartbeats);
            }
        });

        try
        {
            for (var update = 1; update <= 20; update++)
            {
                var read = await table.ReadAllAsync(None);
                var (current, etag) = read.TryGet(entry.SiloAddress)!;
                Assert.True(await table.UpdateRowAsync(current, etag, read.Version.Next(), None), $"update {update} after {Volatile.Read(ref heartbeats)} heartbeats");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await heartbeat;
        }

        Assert.True(heartbeats > 0);
        Assert.Equal(21, (await table.ReadAllAsync(None)).Version.Version);
    }

    [Fact]
    public async Task A_heartbeat_for_an_absent_row_creates_no_row()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();

        await table.UpdateIAmAliveAsync(MembershipTestTable.NewEntry(), None);

        Assert.Empty((await table.ReadAllAsync(None)).Members);
        var items = await test.Client.ScanAsync(new ScanRequest { TableName = test.TableName });
        Assert.Single(items.Items!);
    }

    [Fact]
    public async Task ReadAll_returns_every_row_of_a_partition_larger_than_one_DynamoDB_page()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var entries = new List<MembershipEntry>();
        for (var i = 0; i < 8; i++)
        {
            // ~180 KB of suspect votes per row: 8 rows are more than the 1 MB a DynamoDB page holds.
            var entry = MembershipTestTable.NewEntry();
            for (var vote = 0; vote < 3000; vote++)
            {
                entry.AddSuspector(SiloAddress.New(IPAddress.Parse("10.1.2.3"), 11111, vote + 1), DateTime.UtcNow);
            }

            Assert.True(await table.InsertAtNextVersionAsync(entry));
            entries.Add(entry);
        }

        var firstPage = await test.FirstPageOfClusterAsync();
        Assert.NotEmpty(firstPage.LastEvaluatedKey!);
        Assert.True(firstPage.Items!.Count < 9, "the partition fits one page, so the test would not test paging");

        var data = await table.ReadAllAsync(None);

        Assert.Equal(8, data.Version.Version);
        Assert.Equal(entries.Select(e => e.SiloAddress).Order(), data.Members.Select(m => m.Item1.SiloAddress).Order());
        Assert.All(data.Members, member => Assert.Equal(3000, member.Item1.SuspectTimes!.Count));
    }

    [Fact]
    public async Task ReadAll_during_concurrent_inserts_returns_the_rows_of_the_version_it_reports()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var writers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 15; i++)
            {
                var entry = MembershipTestTable.NewEntry();
                while (!await table.InsertAtNextVersionAsync(entry))
                {
                }
            }
        })).ToList();

        // Only inserts happen, each advancing the version by one: a consistent read has exactly as many rows as its version.
        var reads = 0;
        while (!writers.TrueForAll(writer => writer.IsCompleted))
        {
            var data = await table.ReadAllAsync(None);
            Assert.Equal(data.Version.Version, data.Members.Count);
            reads++;
        }

        await Task.WhenAll(writers);
        Assert.Equal(45, (await table.ReadAllAsync(None)).Members.Count);
        Assert.True(reads > 0);
    }

    [Fact]
    public async Task Cleanup_removes_only_old_rows_of_silos_that_are_not_active()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        var now = DateTime.UtcNow;
        var cutoff = now.AddDays(-7);
        var oldDead = Aged(SiloStatus.Dead, days: 10);
        var oldJoining = Aged(SiloStatus.Joining, days: 10);
        var oldShuttingDown = Aged(SiloStatus.ShuttingDown, days: 10);
        var oldActive = Aged(SiloStatus.Active, days: 10);
        var recentDead = Aged(SiloStatus.Dead, days: 1);
        var recentlyVotedDead = Aged(SiloStatus.Dead, days: 10);
        recentlyVotedDead.AddSuspector(oldActive.SiloAddress, now.AddDays(-1));
        var restartedDead = Aged(SiloStatus.Dead, days: 10);
        restartedDead.StartTime = now.AddDays(-1);
        var keep = new[] { oldActive, recentDead, recentlyVotedDead, restartedDead };
        foreach (var entry in new[] { oldDead, oldJoining, oldShuttingDown }.Concat(keep))
        {
            Assert.True(await table.InsertAtNextVersionAsync(entry));
        }

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(cutoff), None);

        var data = await table.ReadAllAsync(None);
        Assert.Equal(keep.Select(e => e.SiloAddress).Order(), data.Members.Select(m => m.Item1.SiloAddress).Order());
        Assert.Equal(7, data.Version.Version);

        MembershipEntry Aged(SiloStatus status, int days)
        {
            var entry = MembershipTestTable.NewEntry(status);
            entry.StartTime = now.AddDays(-days - 1);
            entry.IAmAliveTime = now.AddDays(-days);
            return entry;
        }
    }

    [Fact]
    public async Task Delete_removes_the_clusters_partition_and_leaves_other_clusters_alone()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        using var other = await test.MembershipAsync("other-" + test.ClusterId);
        foreach (var membership in new[] { table, other })
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.True(await membership.InsertAtNextVersionAsync(MembershipTestTable.NewEntry()));
            }
        }

        await table.DeleteMembershipTableEntriesAsync(test.ClusterId, None);

        var partition = await test.FirstPageOfClusterAsync();
        Assert.Empty(partition.Items!);
        var untouched = await other.ReadAllAsync(None);
        Assert.Equal(3, untouched.Members.Count);
        Assert.Equal(3, untouched.Version.Version);
    }

    [Fact]
    public async Task With_CreateTables_off_a_missing_table_is_never_created_and_the_error_names_table_and_setting()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = test.Membership(configure: options =>
        {
            options.CreateTables = false;
            options.CreateTablesSetting = "Storage__DynamoDB__CreateTables";
        });
        using var gateways = test.GatewayList(options => options.CreateTables = false);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => table.InitializeMembershipTableAsync(true, None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => gateways.InitializeGatewayListProviderAsync(None));

        Assert.Contains(test.TableName, error.Message, StringComparison.Ordinal);
        Assert.Contains("Storage__DynamoDB__CreateTables", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => test.Client.DescribeTableAsync(test.TableName));
    }

    [Fact]
    public async Task An_injected_client_is_the_one_used()
    {
        using var test = await MembershipTestTable.CreateAsync();
        var (client, interceptor) = InterceptedDynamoDB.Wrap(test.Client);

        // Nothing listens on the discard port: a client of the provider's own making would fail.
        using var table = test.Membership(configure: options => options.ServiceUrl = "http://127.0.0.1:9", injected: client);
        using var gateways = test.GatewayList(options => options.ServiceUrl = "http://127.0.0.1:9", injected: client);
        await table.InitializeMembershipTableAsync(true, None);
        Assert.True(await table.InsertAtNextVersionAsync(MembershipTestTable.NewEntry(SiloStatus.Active)));
        await gateways.InitializeGatewayListProviderAsync(None);
        var before = interceptor.Calls;

        Assert.Single(await gateways.GetGatewaysAsync(None));

        Assert.True(interceptor.Calls > before);
        Assert.Single((await table.ReadAllAsync(None)).Members);
    }
}
