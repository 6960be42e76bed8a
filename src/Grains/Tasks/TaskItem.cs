using System.Text.Json.Serialization;

namespace UserData.Grains.Tasks;

[GenerateSerializer, Alias("task-state")]
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

[GenerateSerializer, Immutable, Alias("task-metadata")]
public sealed record TaskMetadata([property: Id(0)] string? Category, [property: Id(1)] IReadOnlyList<string> Tags)
{
    public static TaskMetadata Empty { get; } = new(null, []);
}

/// <summary>A task as stored in the user's state (immutable: a change replaces it).</summary>
[GenerateSerializer, Immutable, Alias("task-item")]
public sealed record TaskItem
{
    [Id(0)]
    public required string Id { get; init; }

    [Id(1)]
    public required string Name { get; init; }

    [Id(2)]
    public string? Description { get; init; }

    [Id(3)]
    public TaskState Status { get; init; }

    [Id(4)]
    public DateTimeOffset? DueAt { get; init; }

    [Id(5)]
    public TaskMetadata Metadata { get; init; } = TaskMetadata.Empty;

    [Id(6)]
    public long Version { get; init; } = 1;

    [Id(7)]
    public DateTimeOffset CreatedAt { get; init; }

    [Id(8)]
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Set by a soft delete: the task is hidden from reads but kept in the export and the audit trail.</summary>
    [Id(9)]
    public DateTimeOffset? DeletedAt { get; init; }

    [JsonIgnore]
    public bool IsDeleted => DeletedAt is not null;

    /// <summary>Counts toward the active-task limit.</summary>
    [JsonIgnore]
    public bool IsActive => !IsDeleted && Status != TaskState.Archived;
}
