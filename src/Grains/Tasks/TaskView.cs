namespace UserData.Grains.Tasks;

/// <summary>A task as the API shows it.</summary>
public sealed record TaskView(
    string Id,
    string Name,
    string? Description,
    TaskState Status,
    DateTimeOffset? DueAt,
    TaskMetadata Metadata,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static TaskView From(TaskItem task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new(task.Id, task.Name, task.Description, task.Status, task.DueAt, task.Metadata, task.Version, task.CreatedAt, task.UpdatedAt);
    }
}
