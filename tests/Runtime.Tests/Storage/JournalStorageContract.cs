using System.Text;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Tests.Storage;

/// <summary>
/// What every <see cref="IJournalStorage"/> adapter must do. Each adapter's test class derives from this
/// and supplies a real store; each test uses grain ids of its own, so one store can serve the class.
/// </summary>
public abstract class JournalStorageContract
{
    protected abstract IJournalStorage Storage { get; }

    private static GrainId NewGrain() => new("contract", Guid.NewGuid().ToString("N"));

    private static string Event(int n) => $$"""{"type":"noted","n":{{n}},"text":"événement ✓ {{n}}"}""";

    [Fact]
    public async Task Appended_events_read_back_in_order_with_their_sequence_numbers_and_json()
    {
        var grain = NewGrain();
        await Storage.AppendAsync(grain, 0, [Event(1), Event(2)]);
        await Storage.AppendAsync(grain, 2, [Event(3)]);

        var events = await Storage.ReadAsync(grain, 0, 100);

        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Seq));
        Assert.Equal([Event(1), Event(2), Event(3)], events.Select(e => e.Json));
        Assert.All(events, e => Assert.InRange(e.WrittenAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task Read_starts_after_the_given_sequence_number_and_stops_at_max_count()
    {
        var grain = NewGrain();
        await Storage.AppendAsync(grain, 0, Enumerable.Range(1, 10).Select(Event).ToList());

        var page = await Storage.ReadAsync(grain, 3, 4);

        Assert.Equal([4L, 5L, 6L, 7L], page.Select(e => e.Seq));
        Assert.Empty(await Storage.ReadAsync(grain, 10, 100));
        Assert.Empty(await Storage.ReadAsync(NewGrain(), 0, 100));
    }

    [Fact]
    public async Task An_append_at_a_taken_sequence_number_conflicts_and_writes_nothing()
    {
        var grain = NewGrain();
        await Storage.AppendAsync(grain, 0, [Event(1), Event(2)]);
        await Storage.AppendAsync(grain, 2, [Event(3)]);

        await Assert.ThrowsAsync<JournalConflictException>(() => Storage.AppendAsync(grain, 0, [Event(10)]));
        await Assert.ThrowsAsync<JournalConflictException>(() => Storage.AppendAsync(grain, 2, [Event(30), Event(40)]));

        var events = await Storage.ReadAsync(grain, 0, 100);
        Assert.Equal([Event(1), Event(2), Event(3)], events.Select(e => e.Json));
    }

    [Fact]
    public async Task Of_concurrent_appends_at_one_version_exactly_one_wins()
    {
        var grain = NewGrain();
        var attempts = Enumerable.Range(1, 20).Select(async n =>
        {
            try
            {
                await Storage.AppendAsync(grain, 0, [Event(n), Event(n + 100)]);
                return n;
            }
            catch (JournalConflictException)
            {
                return 0;
            }
        }).ToList();

        var winners = (await Task.WhenAll(attempts)).Where(n => n != 0).ToList();

        var winner = Assert.Single(winners);
        var events = await Storage.ReadAsync(grain, 0, 100);
        Assert.Equal([Event(winner), Event(winner + 100)], events.Select(e => e.Json));
    }

    [Fact]
    public async Task Redacted_events_are_skipped_by_reads_and_still_fence_appends()
    {
        var grain = NewGrain();
        await Storage.AppendAsync(grain, 0, [Event(1), Event(2)]);
        await Storage.AppendAsync(grain, 2, [Event(3)]);

        await Storage.RedactAsync(grain, 2);

        Assert.Equal([3L], (await Storage.ReadAsync(grain, 0, 100)).Select(e => e.Seq));
        await Assert.ThrowsAsync<JournalConflictException>(() => Storage.AppendAsync(grain, 0, [Event(10)]));
        await Storage.AppendAsync(grain, 3, [Event(4)]);
        Assert.Equal([Event(3), Event(4)], (await Storage.ReadAsync(grain, 0, 100)).Select(e => e.Json));
        Assert.Equal([Event(4)], (await Storage.ReadAsync(grain, 3, 100)).Select(e => e.Json));
    }

    [Fact]
    public async Task Grains_do_not_see_each_others_events()
    {
        var (a, b) = (NewGrain(), NewGrain());
        await Storage.AppendAsync(a, 0, [Event(1)]);
        await Storage.AppendAsync(b, 0, [Event(2)]);

        Assert.Equal([Event(1)], (await Storage.ReadAsync(a, 0, 10)).Select(e => e.Json));
        Assert.Equal([Event(2)], (await Storage.ReadAsync(b, 0, 10)).Select(e => e.Json));
    }

    [Fact]
    public async Task A_snapshot_is_replaced_only_by_a_newer_one()
    {
        var grain = NewGrain();
        Assert.Null(await Storage.ReadSnapshotAsync(grain));

        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(5, """{"v":5}"""));
        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(3, """{"v":3}"""));
        Assert.Equal(new StoredSnapshot(5, """{"v":5}"""), await Storage.ReadSnapshotAsync(grain));

        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(7, """{"v":7}"""));
        Assert.Equal(new StoredSnapshot(7, """{"v":7}"""), await Storage.ReadSnapshotAsync(grain));
    }

    [Fact]
    public async Task A_2_MB_snapshot_round_trips()
    {
        var grain = NewGrain();
        var json = LargeJson(2 * 1024 * 1024);

        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(1, json));
        var read = await Storage.ReadSnapshotAsync(grain);

        Assert.NotNull(read);
        Assert.Equal(1, read.Version);
        Assert.Equal(json, read.Json);

        var smaller = LargeJson(600 * 1024);
        await Storage.WriteSnapshotAsync(grain, new StoredSnapshot(2, smaller));
        Assert.Equal(smaller, (await Storage.ReadSnapshotAsync(grain))?.Json);
    }

    [Fact]
    public async Task Health_check_answers()
    {
        await Storage.CheckHealthAsync();
    }

    /// <summary>Pseudo-random (poorly compressible) JSON of about <paramref name="bytes"/> bytes.</summary>
    protected static string LargeJson(int bytes)
    {
        var random = new Random(bytes);
        var text = new StringBuilder("""{"items":[""");
        while (text.Length < bytes)
        {
            text.Append('"').Append(Convert.ToBase64String(BitConverter.GetBytes(random.NextInt64()))).Append("\",");
        }

        text.Append("\"end\"]}");
        return text.ToString();
    }
}
