using UserData.Grains.Common;
using UserData.Grains.Errors;
using UserData.Grains.Requests;
using UserData.Grains.Tasks;
using UserData.Grains.Users;

using UserData.Runtime.Grains;

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
    public async Task Two_silos_writing_one_user_never_lose_or_duplicate_a_write()
    {
        await using var cluster = await UserDataCluster.StartAsync(silos: 2);
        var userId = (await cluster.RegisterAsync("two@example.com")).Value.Id;
        var onFirst = cluster.Cluster.Silos[0].GrainFactory.GetGrain<IUserGrain>(userId);
        var onSecond = cluster.Cluster.Silos[1].GrainFactory.GetGrain<IUserGrain>(userId);

        // Alternating silos: every write after the other silo's is a stale append there, retried on a fresh activation.
        for (var i = 0; i < 10; i++)
        {
            var user = i % 2 == 0 ? onFirst : onSecond;
            await user.CreateTaskAsync(Task($"t{i}"), null, UserDataCluster.Request);
        }

        var journal = await cluster.Storage.ReadAsync(new UserData.Runtime.Grains.GrainId("user", userId), 0, 1000);
        Assert.Equal(10, journal.Count(stored => stored.Json.Contains("\"task.created\"", StringComparison.Ordinal)));
        Assert.Equal(journal.Select(stored => stored.Seq), Enumerable.Range(1, journal.Count).Select(seq => (long)seq));
        Assert.Equal(10, (await onSecond.ListTasksAsync(new TaskListQuery(Limit: 100))).Total);

        // The first silo's activation has not seen t9: its append conflicts, and the retry on a fresh one sees the duplicate.
        await Assert.ThrowsAsync<DuplicateNameException>(() => onFirst.CreateTaskAsync(Task("T9"), null, UserDataCluster.Request));
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
    public async Task Erasing_a_user_leaves_none_of_their_data_in_storage()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var userId = (await cluster.RegisterAsync("private@example.com")).Value.Id;
        var user = cluster.Grains.GetGrain<IUserGrain>(userId);
        await user.CreateTaskAsync(Task("my secret plan"), null, UserDataCluster.Request);
        var grainId = new GrainId("user", userId);
        Assert.NotEmpty(await cluster.Storage.ReadAsync(grainId, 0, 100));

        await user.EraseAsync(null, UserDataCluster.Request);

        Assert.Empty(await cluster.Storage.ReadAsync(grainId, 0, 100));
        var snapshot = await cluster.Storage.ReadSnapshotAsync(grainId);
        Assert.NotNull(snapshot);
        Assert.DoesNotContain("private@example.com", snapshot.Json, StringComparison.Ordinal);
        Assert.DoesNotContain("my secret plan", snapshot.Json, StringComparison.Ordinal);
        Assert.DoesNotContain("HASH", snapshot.Json, StringComparison.Ordinal);
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
        var export = await user.ExportAsync();
        Assert.Equal(2, export.Tasks.Count);
        Assert.Contains(export.Tasks, exported => exported.Id == task.Id && exported.IsDeleted);
        Assert.Contains(export.Audit, entry => entry.Action == "task.deleted");
    }
}
