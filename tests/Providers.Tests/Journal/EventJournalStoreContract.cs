using System.Text;
using UserData.Providers.Journal;

namespace UserData.Providers.Tests.Journal;

/// <summary>
/// What every journal store must do, tested directly where a grain cannot reach a case (a retried append id, racing
/// writers, partial erasure, raw snapshots). Each backend's test class derives from it with a real store.
/// </summary>
public abstract class EventJournalStoreContract : JournalBackendTests
{
    [Fact]
    public async Task Appended_events_read_back_in_order_with_their_sequence_numbers_and_json()
    {
        var stream = NewStream();
        Assert.Equal(AppendResult.Appended, await Store.AppendAsync(Append(stream, 1, 1, 2)));
        Assert.Equal(AppendResult.Appended, await Store.AppendAsync(Append(stream, 3, 3)));

        var events = await ReadAllAsync(stream);

        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Seq));
        Assert.Equal([Json(1), Json(2), Json(3)], events.Select(e => e.Text()));
    }

    [Fact]
    public async Task A_read_returns_only_the_requested_range_up_to_the_page_size()
    {
        var stream = NewStream();
        await Store.AppendAsync(Append(stream, 1, 1, 2, 3, 4, 5));
        await Store.AppendAsync(Append(stream, 6, 6, 7));
        await Store.AppendAsync(Append(stream, 8, 8));

        Assert.Equal([4L, 5L, 6L, 7L], Seqs(await Store.ReadAsync(stream, 3, 7, 100, CancellationToken.None)));
        Assert.Equal([1L, 2L], Seqs(await Store.ReadAsync(stream, 0, long.MaxValue, 2, CancellationToken.None)));
        Assert.Equal([7L], Seqs(await Store.ReadAsync(stream, 6, 8, 1, CancellationToken.None)));
        Assert.Equal([5L, 6L, 7L, 8L], Seqs(await Store.ReadAsync(stream, 4, long.MaxValue, 100, CancellationToken.None)));
        Assert.Empty(await Store.ReadAsync(stream, 8, long.MaxValue, 100, CancellationToken.None));
        Assert.Empty(await Store.ReadAsync(stream, 5, 5, 100, CancellationToken.None));
        Assert.Empty(await Store.ReadAsync(NewStream(), 0, long.MaxValue, 100, CancellationToken.None));
    }

    [Fact]
    public async Task An_append_at_a_taken_sequence_number_conflicts_and_writes_nothing()
    {
        var stream = NewStream();
        await Store.AppendAsync(Append(stream, 1, 1, 2));
        await Store.AppendAsync(Append(stream, 3, 3));

        Assert.Equal(AppendResult.Conflict, await Store.AppendAsync(Append(stream, 1, 10)));
        Assert.Equal(AppendResult.Conflict, await Store.AppendAsync(Append(stream, 3, 30, 40)));

        Assert.Equal([Json(1), Json(2), Json(3)], (await ReadAllAsync(stream)).Select(e => e.Text()));
    }

    [Fact]
    public async Task An_append_retried_with_its_append_id_is_found_already_appended_and_stored_once()
    {
        var stream = NewStream();
        var append = Append(stream, 1, 1, 2);

        Assert.Equal(AppendResult.Appended, await Store.AppendAsync(append));
        Assert.Equal(AppendResult.AlreadyAppended, await Store.AppendAsync(append));
        Assert.Equal(AppendResult.Conflict, await Store.AppendAsync(append with { AppendId = Guid.NewGuid().ToString("N") }));

        Assert.Equal([Json(1), Json(2)], (await ReadAllAsync(stream)).Select(e => e.Text()));
    }

    [Fact]
    public async Task Of_concurrent_appends_at_one_version_exactly_one_wins()
    {
        var stream = NewStream();
        var appends = Enumerable.Range(1, 20).Select(n => Append(stream, 1, n, n + 100)).ToList();

        var results = await Task.WhenAll(appends.Select(Store.AppendAsync));

        var winner = appends[Array.IndexOf(results, AppendResult.Appended)];
        Assert.Single(results, result => result == AppendResult.Appended);
        Assert.All(results, result => Assert.NotEqual(AppendResult.AlreadyAppended, result));
        Assert.Equal(winner.Events.Select(e => e.Json), (await ReadAllAsync(stream)).Select(e => e.Text()));
    }

    [Fact]
    public async Task Erased_events_are_skipped_and_keep_their_sequence_numbers_and_the_rest_of_their_append()
    {
        var stream = NewStream();
        await Store.AppendAsync(Append(stream, 1, 1, 2, 3));
        await Store.AppendAsync(Append(stream, 4, 4));

        await Store.RedactAsync(stream, 0, 2, RedactionKind.Erasure);
        await Store.RedactAsync(stream, 0, 2, RedactionKind.Erasure);

        Assert.Equal([3L, 4L], Seqs(await ReadAllAsync(stream)));
        Assert.Equal([3L], Seqs(await Store.ReadAsync(stream, 0, 3, 100, CancellationToken.None)));
        Assert.False(await Backend.StoresTextAsync(Text(1)));
        Assert.False(await Backend.StoresTextAsync(Text(2)));
        Assert.True(await Backend.StoresTextAsync(Text(3)));
        Assert.Equal(AppendResult.Conflict, await Store.AppendAsync(Append(stream, 1, 10)));
        Assert.Equal(AppendResult.Appended, await Store.AppendAsync(Append(stream, 5, 5)));
        Assert.Equal([Json(3), Json(4), Json(5)], (await ReadAllAsync(stream)).Select(e => e.Text()));
    }

    [Fact]
    public async Task Compaction_erases_only_the_events_after_the_first_sequence_number_through_the_second_and_keeps_the_fence()
    {
        var stream = NewStream();
        await Store.AppendAsync(Append(stream, 1, 1, 2, 3));
        await Store.AppendAsync(Append(stream, 4, 4, 5));
        await Store.AppendAsync(Append(stream, 6, 6));

        await Store.RedactAsync(stream, 2, 4, RedactionKind.Compaction);
        await Store.RedactAsync(stream, 2, 4, RedactionKind.Compaction);

        Assert.Equal([1L, 2L, 5L, 6L], Seqs(await ReadAllAsync(stream)));
        Assert.Equal([Json(1), Json(2), Json(5), Json(6)], (await ReadAllAsync(stream)).Select(e => e.Text()));
        Assert.Equal(AppendResult.Conflict, await Store.AppendAsync(Append(stream, 1, 10)));
        Assert.Equal(AppendResult.Conflict, await Store.AppendAsync(Append(stream, 4, 40)));

        await Store.RedactAsync(stream, 4, 6, RedactionKind.Compaction);

        Assert.Equal([1L, 2L], Seqs(await ReadAllAsync(stream)));
        Assert.Equal(AppendResult.Conflict, await Store.AppendAsync(Append(stream, 6, 60)));
        Assert.Equal(AppendResult.Appended, await Store.AppendAsync(Append(stream, 7, 7)));
    }

    [Fact]
    public async Task A_snapshot_is_replaced_only_by_a_newer_one()
    {
        var stream = NewStream();
        Assert.Null(await Store.ReadSnapshotAsync(stream, CancellationToken.None));

        await Store.WriteSnapshotAsync(stream, new StoredSnapshot(5, """{"v":5}"""));
        await Store.WriteSnapshotAsync(stream, new StoredSnapshot(3, """{"v":3}"""));
        await Store.WriteSnapshotAsync(stream, new StoredSnapshot(5, """{"v":"5 again"}"""));
        Assert.Equal(new StoredSnapshot(5, """{"v":5}"""), await Store.ReadSnapshotAsync(stream, CancellationToken.None));

        await Store.WriteSnapshotAsync(stream, new StoredSnapshot(7, """{"v":7}"""));
        Assert.Equal(new StoredSnapshot(7, """{"v":7}"""), await Store.ReadSnapshotAsync(stream, CancellationToken.None));
    }

    [Fact]
    public async Task A_2_MB_snapshot_round_trips_and_a_smaller_newer_one_replaces_it()
    {
        var stream = NewStream();
        var large = LargeJson(2 * 1024 * 1024);

        await Store.WriteSnapshotAsync(stream, new StoredSnapshot(1, large));
        Assert.Equal(new StoredSnapshot(1, large), await Store.ReadSnapshotAsync(stream, CancellationToken.None));

        var smaller = LargeJson(600 * 1024);
        await Store.WriteSnapshotAsync(stream, new StoredSnapshot(2, smaller));
        Assert.Equal(new StoredSnapshot(2, smaller), await Store.ReadSnapshotAsync(stream, CancellationToken.None));
    }

    [Fact]
    public async Task The_health_check_answers_once_started()
    {
        await Store.CheckHealthAsync(CancellationToken.None);
    }

    protected static string NewStream() => $"contract/{Guid.NewGuid():N}";

    internal static string Text(int n) => $"événement ✓ {n:D6}";

    internal static string Json(int n) => $$"""{"type":"noted","n":{{n}},"text":"{{Text(n)}}"}""";

    internal static JournalAppend Append(string stream, long firstSeq, params int[] events) =>
        new(stream, firstSeq, Guid.NewGuid().ToString("N"), [.. events.Select(n => new NewEvent("noted", Json(n)))]);

    internal static IEnumerable<long> Seqs(IEnumerable<StoredEvent> events) => events.Select(e => e.Seq);

    internal Task<IReadOnlyList<StoredEvent>> ReadAllAsync(string stream) => Store.ReadAsync(stream, 0, long.MaxValue, 10_000, CancellationToken.None);

    /// <summary>Pseudo-random (poorly compressible) JSON of about <paramref name="bytes"/> bytes.</summary>
    internal static string LargeJson(int bytes)
    {
        var random = new Random(bytes);
        var text = new StringBuilder("""{"items":[""");
        while (text.Length < bytes)
        {
            text.Append('"').Append(Convert.ToBase64String(BitConverter.GetBytes(random.NextInt64()))).Append("\",");
        }

        return text.Append("\"end\"]}").ToString();
    }
}
