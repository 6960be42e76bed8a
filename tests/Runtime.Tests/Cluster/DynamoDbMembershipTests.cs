using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Tests.Storage;
using UserData.TestSupport;

namespace UserData.Runtime.Tests.Cluster;

/// <summary>Membership on dynalite with short timings: join, heartbeats, suspicion, self-fencing, dead rows, leaving.</summary>
[Collection(ClusterTimingCollection.Name)]
public sealed class DynamoDbMembershipTests(DynamoDbFixture dynamo) : IClassFixture<DynamoDbFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Silos_join_as_Active_and_see_each_other()
    {
        var table = NewTable();
        await using var a = await MembershipSilo.StartAsync(table, "10.0.0.1:11111");
        await using var b = await MembershipSilo.StartAsync(table, "10.0.0.2:11111");

        await Eventually.TrueAsync(() => a.Membership.View.Silos.Count == 2 && b.Membership.View.Silos.Count == 2, Deadline, "both silos in both views");
        var rows = await table.ReadAllAsync(CancellationToken.None);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Equal(SiloStatus.Active, row.Status));
        Assert.True(a.Membership.IsServing && b.Membership.IsServing);
    }

    [Fact]
    public async Task Heartbeats_advance()
    {
        var table = NewTable();
        await using var a = await MembershipSilo.StartAsync(table, "10.0.0.1:11111");
        var first = (await table.ReadAllAsync(CancellationToken.None)).Single().Heartbeat;

        await Eventually.TrueAsync(
            async () => (await table.ReadAllAsync(CancellationToken.None)).Single().Heartbeat > first, Deadline, "the heartbeat moves on");
    }

    [Fact]
    public async Task A_partitioned_silo_fences_itself_before_it_is_declared_dead_then_stops_when_it_learns_it()
    {
        var table = NewTable();
        await using var a = await MembershipSilo.StartAsync(table, "10.0.0.1:11111");
        await using var b = await MembershipSilo.StartAsync(table, "10.0.0.2:11111");
        await Eventually.TrueAsync(() => a.Membership.View.Silos.Count == 2, Deadline, "a sees b");
        var bId = b.Membership.LocalSiloId!;

        var clock = Stopwatch.StartNew();
        b.Table.Cut();
        TimeSpan? fencedAt = null;
        TimeSpan? deadAt = null;
        while ((fencedAt is null || deadAt is null) && clock.Elapsed < Deadline)
        {
            if (fencedAt is null && !b.Membership.IsServing)
            {
                fencedAt = clock.Elapsed;
            }

            if (deadAt is null && (await table.ReadAllAsync(CancellationToken.None)).Single(row => row.SiloId == bId).Status == SiloStatus.Dead)
            {
                deadAt = clock.Elapsed;
            }

            await Task.Delay(10);
        }

        Assert.NotNull(fencedAt);
        Assert.NotNull(deadAt);
        Assert.True(fencedAt < deadAt, $"fenced at {fencedAt}, declared dead at {deadAt}");
        Assert.DoesNotContain(a.Membership.View.Silos, silo => silo.SiloId == bId);

        // Reconnected, b finds its row Dead: it must not serve again, and it stops its process.
        b.Table.Restore();
        await Eventually.TrueAsync(() => b.ApplicationStopping.IsCancellationRequested, Deadline, "b stops once it learns it was declared dead");
        Assert.False(b.Membership.IsServing);
    }

    [Fact]
    public async Task A_silo_that_renews_again_before_being_declared_dead_serves_again()
    {
        var table = NewTable();
        var options = MembershipSilo.FastOptions();
        options.SuspicionTimeout = TimeSpan.FromSeconds(10); // nobody declares it dead within the test
        options.SelfFenceMargin = TimeSpan.FromMilliseconds(9500);
        await using var b = await MembershipSilo.StartAsync(table, "10.0.0.2:11111", options);

        b.Table.Cut();
        await Eventually.TrueAsync(() => !b.Membership.IsServing, Deadline, "b fences itself");
        b.Table.Restore();
        await Eventually.TrueAsync(() => b.Membership.IsServing, Deadline, "b serves again");
    }

    [Fact]
    public async Task Old_dead_rows_are_deleted()
    {
        var table = NewTable();
        await using var a = await MembershipSilo.StartAsync(table, "10.0.0.1:11111");
        var b = await MembershipSilo.StartAsync(table, "10.0.0.2:11111");
        var bId = b.Membership.LocalSiloId!;
        await b.DisposeAsync();
        Assert.Equal(SiloStatus.Dead, (await table.ReadAllAsync(CancellationToken.None)).Single(row => row.SiloId == bId).Status);

        await Eventually.TrueAsync(
            async () => (await table.ReadAllAsync(CancellationToken.None)).All(row => row.SiloId != bId), Deadline, "b's dead row is deleted");
    }

    [Fact]
    public async Task A_stopping_silo_leaves_and_the_others_stop_routing_to_it()
    {
        var table = NewTable();
        await using var a = await MembershipSilo.StartAsync(table, "10.0.0.1:11111");
        var b = await MembershipSilo.StartAsync(table, "10.0.0.2:11111");
        await Eventually.TrueAsync(() => a.Membership.View.Silos.Count == 2, Deadline, "a sees b");

        await b.StopAsync();
        Assert.Equal(SiloStatus.Dead, b.Membership.LocalStatus);
        await Eventually.TrueAsync(() => a.Membership.View.Silos.Count == 1, Deadline, "a no longer routes to b");
        await b.DisposeAsync();
    }

    [Fact]
    public async Task A_missing_table_is_refused_when_tables_are_not_created()
    {
        var table = new DynamoDbMembershipTable(
            dynamo.Client, DynamoDbFixture.UniquePrefix() + "membership", "test", createTables: false, NullLogger<DynamoDbMembershipTable>.Instance);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => table.ReadAllAsync(CancellationToken.None));
        Assert.Contains("CreateTables", error.Message, StringComparison.Ordinal);
    }

    private DynamoDbMembershipTable NewTable() => new(
        dynamo.Client, DynamoDbFixture.UniquePrefix() + "membership", "test-" + Guid.NewGuid().ToString("N")[..8], createTables: true,
        NullLogger<DynamoDbMembershipTable>.Instance);
}
