using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using UserData.Grains.Common;
using UserData.Grains.Errors;
using UserData.Grains.Requests;
using UserData.Grains.Tasks;
using UserData.Grains.Users;

namespace UserData.Grains.Tests.Grains;

public class UserGrainTests
{
    private static TaskRequest Task(string name, string? status = null) => new(name, null, status, null, null);

    private static SessionGrant Grant(string familyId, string secret) => new(familyId, RefreshTokens.Hash(secret), Guid.NewGuid().ToString("N"), TimeSpan.FromDays(1));

    [Fact]
    public async Task Concurrent_task_creations_stop_at_the_active_limit_with_unique_names()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var user = cluster.Grains.GetGrain<IUserGrain>((await cluster.RegisterAsync("limit@example.com")).Value.Id);

        var outcomes = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 150).Select(async i =>
        {
            try
            {
                await user.CreateTaskAsync(Task($"task {i}"), null, UserDataCluster.Request);
                return "created";
            }
            catch (TaskLimitExceededException)
            {
                return "limit";
            }
        }));

        Assert.Equal(100, outcomes.Count(outcome => outcome == "created"));
        Assert.Equal(50, outcomes.Count(outcome => outcome == "limit"));
        var all = await user.ListTasksAsync(new TaskListQuery(Limit: 100));
        Assert.Equal(100, all.Total);
        Assert.Equal(100, all.Items.Select(task => task.Name.ToUpperInvariant()).Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_result_generation_stores_one_result_per_data_version()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var user = cluster.Grains.GetGrain<IUserGrain>((await cluster.RegisterAsync("results@example.com")).Value.Id);
        await user.CreateTaskAsync(Task("a"), null, UserDataCluster.Request);

        var results = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 200).Select(_ => user.GenerateResultAsync(null, UserDataCluster.Request)));

        Assert.Single(results, result => result.Created);
        Assert.Single(results.Select(result => result.Value.Id).Distinct());
        Assert.Equal(1, (await user.ListResultsAsync(new PageQuery())).Total);

        await user.CreateTaskAsync(Task("b"), null, UserDataCluster.Request);
        var next = await user.GenerateResultAsync(null, UserDataCluster.Request);
        Assert.True(next.Created);
        Assert.Equal(2, next.Value.Summary.TasksTotal);
        Assert.Equal(next.Value.Id, (await user.GetLatestResultAsync()).Id);
    }

    [Fact]
    public async Task A_thousand_concurrent_read_modify_write_calls_through_two_silos_end_exactly_right()
    {
        await using var cluster = await UserDataCluster.StartAsync(silos: 2);
        var userId = (await cluster.RegisterAsync("rmw@example.com")).Value.Id;

        // Each call reads the attributes, merges one key in and writes them back: a lost update would drop a key.
        await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 1_000).Select(i =>
            cluster.Cluster.Silos[i % 2].ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(userId).UpdateProfileAsync(
                new UpdateProfileRequest { Attributes = new Optional<JsonElement?>(JsonSerializer.SerializeToElement(new Dictionary<string, int> { [$"k{i}"] = i })) },
                null,
                UserDataCluster.Request)));

        var profile = await cluster.Grains.GetGrain<IUserGrain>(userId).GetProfileAsync();
        Assert.Equal(1_000, profile.Attributes.EnumerateObject().Count());
        Assert.Equal(1_001, profile.Version);
        var journal = JournalFile.Events(cluster, "user", userId);
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(seq => (long)seq), journal.Select(row => row.Seq));
        Assert.Equal(1_000, journal.Count(row => row.Type == "profile.updated"));
    }

    [Fact]
    public async Task Two_clusters_activating_one_user_never_commit_two_events_at_one_sequence_number_nor_lose_a_write()
    {
        // Two clusters on one store both activate the user: the duplicate activation Orleans allows in rare membership
        // races, forced. Each append is conditional on the next sequence number, so the stale side's append fails, its
        // journal is re-read and the command decides again against the fresh state.
        await using var first = await UserDataCluster.StartAsync();
        await using var second = await UserDataCluster.StartAsync(sharedFolder: first.Folder);
        var userId = (await first.RegisterAsync("two@example.com")).Value.Id;
        var onFirst = first.Grains.GetGrain<IUserGrain>(userId);
        var onSecond = second.Grains.GetGrain<IUserGrain>(userId);

        for (var i = 0; i < 10; i++)
        {
            await (i % 2 == 0 ? onFirst : onSecond).CreateTaskAsync(Task($"t{i}"), null, UserDataCluster.Request);
        }

        // A side that keeps losing the race gives up (ConcurrentWriterException, a 503 for the API's client) having
        // appended nothing; it is retried as a client retries a 503.
        var concurrent = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(10, 40).Select(async i =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await (i % 2 == 0 ? onFirst : onSecond).CreateTaskAsync(Task($"t{i}"), null, UserDataCluster.Request);
                    return $"t{i}";
                }
                catch (ConcurrentWriterException) when (attempt < 10)
                {
                }
            }
        }));

        var journal = JournalFile.Events(first, "user", userId);
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(seq => (long)seq), journal.Select(row => row.Seq));
        var created = journal.Where(row => row.Type == "task.created").Select(row => JsonDocument.Parse(row.Data!).RootElement.GetProperty("task").GetProperty("name").GetString()).ToList();
        Assert.Equal(50, created.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"t{i}").Order(), created.Order());

        // The first cluster's activation has not seen the second's last task: its append conflicts, and the command,
        // decided again on the re-read journal, finds the name taken.
        await onSecond.CreateTaskAsync(Task("late"), null, UserDataCluster.Request);
        await Assert.ThrowsAsync<DuplicateNameException>(() => onFirst.CreateTaskAsync(Task("LATE"), null, UserDataCluster.Request));
        Assert.Equal(51, (await onFirst.ListTasksAsync(new TaskListQuery(Limit: 100))).Total);
    }

    [Fact]
    public async Task If_match_admits_one_writer_per_version()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var user = cluster.Grains.GetGrain<IUserGrain>((await cluster.RegisterAsync("etag@example.com")).Value.Id);
        var task = (await user.CreateTaskAsync(Task("a"), null, UserDataCluster.Request)).Value;

        var outcomes = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            try
            {
                await user.PatchTaskAsync(task.Id, new PatchTaskRequest { Description = new Optional<string>($"d{i}") }, task.Version, UserDataCluster.Request);
                return true;
            }
            catch (PreconditionFailedException)
            {
                return false;
            }
        }));

        Assert.Single(outcomes, ok => ok);
        Assert.Equal(task.Version + 1, (await user.GetTaskAsync(task.Id)).Version);
    }

    [Fact]
    public async Task Refresh_tokens_rotate_and_a_reused_one_revokes_its_family()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var user = cluster.Grains.GetGrain<IUserGrain>((await cluster.RegisterAsync("refresh@example.com")).Value.Id);
        var first = await user.StartSessionAsync(Grant("family", "secret-1"), null, UserDataCluster.Request);

        var second = await user.RefreshSessionAsync("secret-1", Grant(first.Value.FamilyId, "secret-2"), null, UserDataCluster.Request);

        Assert.Equal("family", second.Value.FamilyId);
        await Assert.ThrowsAsync<InvalidRefreshTokenException>(() => user.RefreshSessionAsync("secret-1", Grant("family", "secret-3"), null, UserDataCluster.Request));
        await Assert.ThrowsAsync<InvalidRefreshTokenException>(() => user.RefreshSessionAsync("secret-2", Grant("family", "secret-3"), null, UserDataCluster.Request));
        var audit = await user.ListAuditAsync(new PageQuery());
        Assert.Equal("session.revoked", audit.Items[0].Action);
    }

    [Fact]
    public async Task A_replayed_refresh_is_a_reuse_it_gets_no_session_and_revokes_the_family()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var user = cluster.Grains.GetGrain<IUserGrain>((await cluster.RegisterAsync("replay-refresh@example.com")).Value.Id);
        await user.StartSessionAsync(Grant("family", "secret-1"), null, UserDataCluster.Request);
        var key = new IdempotencyKey("refresh-1", "fp");

        await user.RefreshSessionAsync("secret-1", Grant("family", "secret-2"), key, UserDataCluster.Request);

        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => user.RefreshSessionAsync("secret-2", Grant("family", "secret-3"), key with { Fingerprint = "other" }, UserDataCluster.Request));
        await Assert.ThrowsAsync<InvalidRefreshTokenException>(() => user.RefreshSessionAsync("secret-1", Grant("family", "secret-2"), key, UserDataCluster.Request));
        await Assert.ThrowsAsync<InvalidRefreshTokenException>(() => user.RefreshSessionAsync("secret-2", Grant("family", "secret-3"), null, UserDataCluster.Request));
        Assert.Equal("session.revoked", (await user.ListAuditAsync(new PageQuery())).Items[0].Action);
    }

    [Fact]
    public async Task Idempotent_task_creation_replays_and_refuses_another_body()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var user = cluster.Grains.GetGrain<IUserGrain>((await cluster.RegisterAsync("idem-task@example.com")).Value.Id);
        var key = new IdempotencyKey("create-1", "fp");

        var first = await user.CreateTaskAsync(Task("a"), key, UserDataCluster.Request);
        var again = await user.CreateTaskAsync(Task("a"), key, UserDataCluster.Request);

        Assert.Equal((first.Value.Id, first.Value.Name, first.Value.Version), (again.Value.Id, again.Value.Name, again.Value.Version));
        Assert.True(again.Created);
        Assert.True(again.Replayed);
        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => user.CreateTaskAsync(Task("b"), key with { Fingerprint = "other" }, UserDataCluster.Request));
        Assert.Equal(1, (await user.ListTasksAsync(new TaskListQuery())).Total);
    }

    [Fact]
    public async Task An_erased_user_is_gone_for_every_call()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var user = cluster.Grains.GetGrain<IUserGrain>((await cluster.RegisterAsync("gone@example.com")).Value.Id);
        await user.CreateTaskAsync(Task("a"), null, UserDataCluster.Request);

        Assert.Equal("gone@example.com", await user.EraseAsync(null, UserDataCluster.Request));

        await Assert.ThrowsAsync<UserNotFoundException>(() => user.GetProfileAsync());
        await Assert.ThrowsAsync<UserNotFoundException>(() => user.ListTasksAsync(new TaskListQuery()));
        await Assert.ThrowsAsync<UserNotFoundException>(() => user.StartSessionAsync(Grant("family", "secret"), null, UserDataCluster.Request));
        Assert.Null(await user.GetCredentialsAsync());
    }

    [Fact]
    public async Task Erasing_a_user_leaves_none_of_their_data_in_storage_and_keeps_the_sequence_numbers()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var userId = (await cluster.RegisterAsync("private@example.com")).Value.Id;
        var user = cluster.Grains.GetGrain<IUserGrain>(userId);
        await user.CreateTaskAsync(Task("my secret plan"), null, UserDataCluster.Request);
        Assert.Contains(JournalFile.Events(cluster, "user", userId), row => row.Data?.Contains("my secret plan", StringComparison.Ordinal) == true);

        await user.EraseAsync(null, UserDataCluster.Request);

        var journal = JournalFile.Events(cluster, "user", userId);
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(seq => (long)seq), journal.Select(row => row.Seq));
        Assert.All(journal.SkipLast(1), row => Assert.Null(row.Data));
        var snapshot = JournalFile.Snapshot(cluster, "user", userId);
        Assert.NotNull(snapshot);
        foreach (var secret in new[] { "private@example.com", "my secret plan", "HASH" })
        {
            Assert.DoesNotContain(secret, snapshot, StringComparison.Ordinal);
            Assert.DoesNotContain(journal, row => row.Data?.Contains(secret, StringComparison.Ordinal) == true);
        }

        await Assert.ThrowsAsync<UserNotFoundException>(() => user.GetProfileAsync());
    }

    [Fact]
    public async Task Deleted_tasks_free_their_name_and_stay_in_the_export()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var user = cluster.Grains.GetGrain<IUserGrain>((await cluster.RegisterAsync("export@example.com")).Value.Id);
        var task = (await user.CreateTaskAsync(Task("a"), null, UserDataCluster.Request)).Value;

        await user.DeleteTaskAsync(task.Id, null, UserDataCluster.Request);

        await Assert.ThrowsAsync<NotFoundException>(() => user.GetTaskAsync(task.Id));
        await user.CreateTaskAsync(Task("A"), null, UserDataCluster.Request);
        var tasks = await ExportSlices.TasksAsync(user);
        Assert.Equal(2, tasks.Count);
        Assert.Contains(tasks, exported => exported.Id == task.Id && exported.IsDeleted);
        Assert.Contains(await ExportSlices.AuditAsync(user), entry => entry.Action == "task.deleted");
    }
}
