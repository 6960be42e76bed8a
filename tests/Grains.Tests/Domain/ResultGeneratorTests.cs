using UserData.Grains.Results;
using UserData.Grains.Tasks;

namespace UserData.Grains.Tests.Domain;

public class ResultGeneratorTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);

    private static TaskItem Task(string name, TaskState status, DateTimeOffset? due = null, string? category = null, string[]? tags = null, bool deleted = false) => new()
    {
        Id = name,
        Name = name,
        Status = status,
        DueAt = due,
        Metadata = new TaskMetadata(category, tags ?? []),
        DeletedAt = deleted ? Now : null,
    };

    [Fact]
    public void Counts_non_deleted_tasks_by_status_category_and_tag()
    {
        var summary = ResultGenerator.Summarize(
        [
            Task("a", TaskState.Todo, Now.AddDays(-1), "work", ["x"]),
            Task("b", TaskState.InProgress, Now.AddDays(1), "work", ["x", "y"]),
            Task("c", TaskState.Done, Now.AddDays(-5), "home"),
            Task("d", TaskState.Archived, Now.AddDays(-5)),
            Task("e", TaskState.Todo, Now.AddDays(-3), "gone", ["z"], deleted: true),
        ], Now);

        Assert.Equal(4, summary.TasksTotal);
        Assert.Equal(new Dictionary<string, int> { ["todo"] = 1, ["in_progress"] = 1, ["done"] = 1, ["archived"] = 1 }, summary.ByStatus);
        Assert.Equal(1, summary.Overdue); // only the todo task past due: done and archived are never overdue
        Assert.Equal(Math.Round(1.0 / 3, 4), summary.CompletionRate);
        Assert.Equal(new Dictionary<string, int> { ["home"] = 1, ["work"] = 2 }, summary.ByCategory);
        Assert.Equal(new Dictionary<string, int> { ["x"] = 2, ["y"] = 1 }, summary.ByTag);
    }

    [Fact]
    public void Completion_rate_is_zero_without_non_archived_tasks()
    {
        Assert.Equal(0, ResultGenerator.Summarize([], Now).CompletionRate);
        Assert.Equal(0, ResultGenerator.Summarize([Task("a", TaskState.Archived)], Now).CompletionRate);
    }

    [Fact]
    public void A_task_due_exactly_at_generation_time_is_not_overdue() =>
        Assert.Equal(0, ResultGenerator.Summarize([Task("a", TaskState.Todo, Now)], Now).Overdue);

    [Fact]
    public void Is_a_pure_function_of_tasks_and_time()
    {
        TaskItem[] tasks = [Task("a", TaskState.Todo, Now.AddDays(-1), "c", ["t"])];
        var first = ResultGenerator.Summarize(tasks, Now);
        var second = ResultGenerator.Summarize(tasks, Now);

        Assert.Equal(first.TasksTotal, second.TasksTotal);
        Assert.Equal(first.ByTag, second.ByTag);
        Assert.Equal(first.Overdue, second.Overdue);
    }
}
