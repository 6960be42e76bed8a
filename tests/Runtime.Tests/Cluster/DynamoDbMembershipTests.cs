using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging.Abstractions;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Hosting;
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
    public async Task Heartbeats_carry_the_silos_cpu_and_memory()
    {
        var table = NewTable();
        await using var a = await MembershipSilo.StartAsync(table, "10.0.0.1:11111");

        await Eventually.TrueAsync(
            async () => (await table.ReadAllAsync(CancellationToken.None)).Single().Usage is not null, Deadline, "the row carries usage");
        var usage = (await table.ReadAllAsync(CancellationToken.None)).Single().Usage!;
        Assert.InRange(usage.CpuPercentOfMachine, 0, 100);
        Assert.True(usage.WorkingSetBytes > 0, $"working set {usage.WorkingSetBytes}");
        Assert.True(usage.GcHeapBytes > 0, $"GC heap {usage.GcHeapBytes}");
    }

    [Fact]
    public async Task A_row_written_without_usage_still_reads_and_usage_round_trips()
    {
        var clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
        var tableName = DynamoDbFixture.UniquePrefix() + "membership";
        var table = new DynamoDbMembershipTable(dynamo.Client, tableName, clusterId, createTables: true, NullLogger<DynamoDbMembershipTable>.Instance);
        Assert.Empty(await table.ReadAllAsync(CancellationToken.None));

        // A row exactly as silos wrote it before they reported CPU and memory.
        await dynamo.Client.PutItemAsync(new PutItemRequest
        {
            TableName = tableName,
            Item = new()
            {
                ["cluster"] = new AttributeValue { S = clusterId },
                ["silo"] = new AttributeValue { S = "10.0.0.9:11111@1" },
                ["address"] = new AttributeValue { S = "10.0.0.9:11111" },
                ["status"] = new AttributeValue { S = "Active" },
                ["started_at"] = new AttributeValue { S = "2026-01-01T00:00:00.000Z" },
                ["heartbeat"] = new AttributeValue { S = "2026-01-01T00:00:05.000Z" },
                ["activations"] = new AttributeValue { N = "3" },
                ["activations_by_type"] = new AttributeValue { M = new() { ["user"] = new AttributeValue { N = "3" } } },
            },
        });
        var now = DateTimeOffset.Parse("2026-01-01T00:00:00.000Z", CultureInfo.InvariantCulture);
        var current = new MembershipEntry("10.0.0.1:11111@2", "10.0.0.1:11111", SiloStatus.Active, now, now, 0, new Dictionary<string, int>());
        await table.InsertAsync(current, CancellationToken.None);
        Assert.True(await table.RenewAsync(current with { Usage = new ProcessUsage(12.346, 123_456_789, 45_678_901) }, CancellationToken.None));

        var rows = (await table.ReadAllAsync(CancellationToken.None)).ToDictionary(row => row.Address);
        var old = rows["10.0.0.9:11111"];
        Assert.Null(old.Usage);
        Assert.Equal(SiloStatus.Active, old.Status);
        Assert.Equal(3, old.ActivationsByType["user"]);
        Assert.Equal(new ProcessUsage(12.35, 123_456_789, 45_678_901), rows["10.0.0.1:11111"].Usage);
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
