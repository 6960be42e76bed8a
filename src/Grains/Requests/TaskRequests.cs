namespace UserData.Grains.Requests;

[GenerateSerializer, Immutable, Alias("task-metadata-request")]
public sealed record TaskMetadataRequest([property: Id(0)] string? Category = null, [property: Id(1)] IReadOnlyList<string>? Tags = null);

/// <summary>POST /me/tasks and PUT /me/tasks/{id} (a full replace: absent optional fields are cleared).</summary>
[GenerateSerializer, Immutable, Alias("task-request")]
public sealed record TaskRequest(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? Description = null,
    [property: Id(2)] string? Status = null,
    [property: Id(3)] DateTimeOffset? DueAt = null,
    [property: Id(4)] TaskMetadataRequest? Metadata = null);

/// <summary>PATCH /me/tasks/{id}: only the fields present change; null clears description, due_at and metadata.</summary>
[GenerateSerializer, Immutable, Alias("patch-task-request")]
public sealed record PatchTaskRequest
{
    [Id(0)]
    public Optional<string> Name { get; init; }

    [Id(1)]
    public Optional<string> Description { get; init; }

    [Id(2)]
    public Optional<string> Status { get; init; }

    [Id(3)]
    public Optional<DateTimeOffset?> DueAt { get; init; }

    [Id(4)]
    public Optional<TaskMetadataRequest> Metadata { get; init; }
}
