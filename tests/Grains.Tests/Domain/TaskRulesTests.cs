using UserData.Grains.Errors;
using UserData.Grains.Requests;
using UserData.Grains.Tasks;

namespace UserData.Grains.Tests.Domain;

public class TaskRulesTests
{
    private static TaskItem Task(string name, TaskState status = TaskState.Todo, bool deleted = false, string? id = null) => new()
    {
        Id = id ?? Guid.NewGuid().ToString(),
        Name = name,
        Status = status,
        DeletedAt = deleted ? DateTimeOffset.UnixEpoch : null,
    };

    [Fact]
    public void Names_are_unique_case_insensitively_among_non_deleted_tasks()
    {
        Assert.Throws<DuplicateNameException>(() => TaskRules.EnsureAllowed([Task("Groceries")], Task("groceries")));
        TaskRules.EnsureAllowed([Task("Groceries", deleted: true)], Task("groceries"));
    }

    [Fact]
    public void A_task_keeps_its_own_name_when_updated()
    {
        var existing = Task("Groceries");
        TaskRules.EnsureAllowed([existing], existing with { Name = "GROCERIES" });
    }

    [Fact]
    public void At_most_100_active_tasks()
    {
        var tasks = Enumerable.Range(0, TaskRules.MaxActiveTasks).Select(i => Task($"t{i}")).ToList();

        Assert.Throws<TaskLimitExceededException>(() => TaskRules.EnsureAllowed(tasks, Task("one more")));
        TaskRules.EnsureAllowed(tasks, Task("archived one", TaskState.Archived));
        TaskRules.EnsureAllowed(tasks, tasks[0] with { Name = "renamed" });
        TaskRules.EnsureAllowed([.. tasks.Skip(1), tasks[0] with { DeletedAt = DateTimeOffset.UnixEpoch }], Task("replaces a deleted one"));
    }

    [Fact]
    public void Unarchiving_counts_toward_the_limit()
    {
        var archived = Task("old", TaskState.Archived);
        var tasks = Enumerable.Range(0, TaskRules.MaxActiveTasks).Select(i => Task($"t{i}")).Append(archived).ToList();

        Assert.Throws<TaskLimitExceededException>(() => TaskRules.EnsureAllowed(tasks, archived with { Status = TaskState.Todo }));
    }

    [Fact]
    public void Query_filters_sorts_and_pages_without_deleted_tasks()
    {
        var baseTime = DateTimeOffset.UnixEpoch;
        var tasks = new List<TaskItem>
        {
            Task("b") with { CreatedAt = baseTime.AddMinutes(1), Metadata = new TaskMetadata("work", ["x"]) },
            Task("a") with { CreatedAt = baseTime.AddMinutes(2), Status = TaskState.Done, Metadata = new TaskMetadata("work", []) },
            Task("c") with { CreatedAt = baseTime.AddMinutes(3), DueAt = baseTime },
            Task("d", deleted: true) with { CreatedAt = baseTime.AddMinutes(4) },
        };

        Assert.Equal(["c", "a", "b"], TaskQuery.Run(tasks, new TaskListQuery()).Items.Select(task => task.Name));
        Assert.Equal(["a", "b", "c"], TaskQuery.Run(tasks, new TaskListQuery(Sort: "name:asc")).Items.Select(task => task.Name));
        Assert.Equal("c", TaskQuery.Run(tasks, new TaskListQuery(Sort: "due_at")).Items[0].Name); // tasks without due_at last
        Assert.Equal(["a", "b"], TaskQuery.Run(tasks, new TaskListQuery(Category: "work", Sort: "name:asc")).Items.Select(task => task.Name));
        Assert.Equal(["b"], TaskQuery.Run(tasks, new TaskListQuery(Tag: "x")).Items.Select(task => task.Name));
        Assert.Equal(["a"], TaskQuery.Run(tasks, new TaskListQuery(Status: "done")).Items.Select(task => task.Name));

        var page = TaskQuery.Run(tasks, new TaskListQuery(Limit: 2, Offset: 1, Sort: "created_at:asc"));
        Assert.Equal(["a", "c"], page.Items.Select(task => task.Name));
        Assert.Equal(3, page.Total);
        Assert.False(page.HasMore);
    }
}
