using System.Text.Json;
using UserData.Grains.Audit;
using UserData.Grains.Common;
using UserData.Grains.Errors;
using UserData.Grains.Requests;
using UserData.Grains.Users;
using UserData.Grains.Validation;
using UserData.TestSupport;

namespace UserData.Grains.Tests.Grains;

/// <summary>The per-user storage quota: tasks of any status, history compacted past its bytes, audit pages bounded in bytes.</summary>
public class UserQuotaTests
{
    /// <summary>An attribute value of about 30 KB: a profile change that replaces it journals old and new, about 90 KB.</summary>
    private static UpdateProfileRequest LargeAttribute(int version) => new()
    {
        Attributes = new Optional<JsonElement?>(JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["blob"] = $"{version}:" + new string('x', 30_000) })),
    };

    [Fact]
    public async Task Tasks_of_every_status_deleted_ones_included_count_toward_the_task_quota()
    {
        await using var cluster = await UserDataCluster.StartAsync(settings: new Dictionary<string, string?> { ["Quota:MaxTasks"] = "4" });
        var user = cluster.Grains.GetGrain<IUserGrain>((await cluster.RegisterAsync("task-quota@example.com")).Value.Id);
        await user.CreateTaskAsync(new TaskRequest("todo"), null, UserDataCluster.Request);
        await user.CreateTaskAsync(new TaskRequest("archived", Status: "archived"), null, UserDataCluster.Request);
        await user.CreateTaskAsync(new TaskRequest("done", Status: "done"), null, UserDataCluster.Request);
        var deleted = (await user.CreateTaskAsync(new TaskRequest("deleted"), null, UserDataCluster.Request)).Value;
        await user.DeleteTaskAsync(deleted.Id, null, UserDataCluster.Request);

        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => user.CreateTaskAsync(new TaskRequest("one too many", Status: "archived"), null, UserDataCluster.Request));

        var detail = Assert.Single(refused.Details);
        Assert.Equal(("tasks", Issues.QuotaExceeded), (detail.Field, detail.Issue));
        Assert.Contains("at most 4 tasks", detail.Message, StringComparison.Ordinal);
        Assert.Equal(4, (await ExportSlices.TasksAsync(user)).Count);
    }

    [Fact]
    public async Task Quota_settings_that_cannot_work_stop_the_silo_from_starting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            UserDataCluster.StartAsync(settings: new Dictionary<string, string?> { ["Quota:MaxHistoryBytes"] = "1000" }));

        Assert.Contains("Quota:MaxHistoryBytes", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_who_patches_all_day_keeps_only_the_history_within_the_quota_and_the_journal_keeps_every_sequence_number()
    {
        const long MaxHistoryBytes = UserState.HistorySegmentBytes;
        const int Patches = 200;
        await using var cluster = await UserDataCluster.StartAsync(settings: new Dictionary<string, string?> { ["Quota:MaxHistoryBytes"] = $"{MaxHistoryBytes}" });
        var userId = (await cluster.RegisterAsync("patches-all-day@example.com")).Value.Id;
        var user = cluster.Grains.GetGrain<IUserGrain>(userId);
        for (var i = 1; i <= Patches; i++)
        {
            await user.UpdateProfileAsync(LargeAttribute(i), null, UserDataCluster.Request);
        }

        // The snapshot at version 200 lets the journal drop the content of everything before the newest segment; the
        // content left is that segment (a segment closes past 256 KiB, so at most one ~90 KB event more).
        long ContentBytes() => JournalFile.Events(cluster, "user", userId).Sum(row => (long)(row.Data?.Length ?? 0));
        await Eventually.TrueAsync(() => ContentBytes() <= MaxHistoryBytes + 100_000, because: "history past the quota is compacted");
        var rows = JournalFile.Events(cluster, "user", userId);
        Assert.Equal(Enumerable.Range(1, Patches + 1).Select(seq => (long)seq), rows.Select(row => row.Seq));
        Assert.All(rows.Take(Patches - 10), row => Assert.Null(row.Data));

        // The audit trail is the history kept: newest first, the same in a page and in the export, none compacted.
        var page = await user.ListAuditAsync(new PageQuery(100, 0));
        Assert.InRange(page.Total, 1, 10);
        Assert.Equal(page.Total, page.Items.Count);
        Assert.Equal(Patches + 1, page.Items[0].Seq);
        Assert.Equal(page.Items.Select(entry => entry.Seq), (await ExportSlices.AuditAsync(user)).Select(entry => entry.Seq));
        Assert.All(page.Items, entry => Assert.True(entry.Seq > Patches - 10));

        // The state itself never depended on the compacted content: another activation replays to the same profile.
        await using var other = await UserDataCluster.StartAsync(sharedFolder: cluster.Folder);
        var replayed = await other.Grains.GetGrain<IUserGrain>(userId).GetProfileAsync();
        Assert.StartsWith($"{Patches}:", replayed.Attributes.GetProperty("blob").GetString(), StringComparison.Ordinal);
        Assert.Equal(Patches + 1, replayed.Version);
    }

    [Fact]
    public async Task An_audit_page_ends_before_its_bytes_pass_the_limit_and_the_pages_still_cover_the_trail_once()
    {
        const int Patches = 40;
        await using var cluster = await UserDataCluster.StartAsync();
        var user = cluster.Grains.GetGrain<IUserGrain>((await cluster.RegisterAsync("large-audit@example.com")).Value.Id);
        for (var i = 1; i <= Patches; i++)
        {
            await user.UpdateProfileAsync(LargeAttribute(i), null, UserDataCluster.Request);
        }

        var first = await user.ListAuditAsync(new PageQuery(100, 0));

        Assert.InRange(first.Items.Count, 2, Patches - 1);
        Assert.InRange(first.Items.Sum(AuditChanges.JsonBytes), 1, new UserQuotaOptions().MaxAuditPageBytes);
        Assert.True(first.HasMore);
        var seqs = new List<long>();
        for (var offset = 0; offset < first.Total;)
        {
            var page = await user.ListAuditAsync(new PageQuery(100, offset));
            seqs.AddRange(page.Items.Select(entry => entry.Seq));
            offset += page.Items.Count;
        }

        Assert.Equal(Enumerable.Range(1, Patches + 1).Reverse().Select(seq => (long)seq), seqs);
        Assert.Equal(seqs, (await ExportSlices.AuditAsync(user)).Select(entry => entry.Seq));
    }
}
