using System.Text.Json.Serialization;

namespace UserData.Grains.Tasks;

public enum TaskState
{
    [JsonStringEnumMemberName("todo")]
    Todo,

    [JsonStringEnumMemberName("in_progress")]
    InProgress,

    [JsonStringEnumMemberName("done")]
    Done,

    [JsonStringEnumMemberName("archived")]
    Archived,
}

public sealed record TaskMetadata(string? Category, IReadOnlyList<string> Tags)
{
    public static TaskMetadata Empty { get; } = new(null, []);
}

/// <summary>A task as stored in the user's state (immutable: a change replaces it).</summary>
public sealed record TaskItem
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public TaskState Status { get; init; }

    public DateTimeOffset? DueAt { get; init; }

    public TaskMetadata Metadata { get; init; } = TaskMetadata.Empty;

    public long Version { get; init; } = 1;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Set by a soft delete: the task is hidden from reads but kept in the export and the audit trail.</summary>
    public DateTimeOffset? DeletedAt { get; init; }

    [JsonIgnore]
    public bool IsDeleted => DeletedAt is not null;

    /// <summary>Counts toward the active-task limit.</summary>
    [JsonIgnore]
    public bool IsActive => !IsDeleted && Status != TaskState.Archived;
}
