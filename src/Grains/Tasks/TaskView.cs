namespace UserData.Grains.Tasks;

/// <summary>A task as the API shows it.</summary>
[GenerateSerializer, Immutable, Alias("task-view")]
public sealed record TaskView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Description,
    [property: Id(3)] TaskState Status,
    [property: Id(4)] DateTimeOffset? DueAt,
    [property: Id(5)] TaskMetadata Metadata,
    [property: Id(6)] long Version,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt)
{
    public static TaskView From(TaskItem task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new(task.Id, task.Name, task.Description, task.Status, task.DueAt, task.Metadata, task.Version, task.CreatedAt, task.UpdatedAt);
    }
}
