namespace UserData.Grains.Requests;

public sealed record TaskMetadataRequest(string? Category = null, IReadOnlyList<string>? Tags = null);

/// <summary>POST /me/tasks and PUT /me/tasks/{id} (a full replace: absent optional fields are cleared).</summary>
public sealed record TaskRequest(
    string? Name, string? Description = null, string? Status = null, DateTimeOffset? DueAt = null, TaskMetadataRequest? Metadata = null);

/// <summary>PATCH /me/tasks/{id}: only the fields present change; null clears description, due_at and metadata.</summary>
public sealed record PatchTaskRequest
{
    public Optional<string> Name { get; init; }

    public Optional<string> Description { get; init; }

    public Optional<string> Status { get; init; }

    public Optional<DateTimeOffset?> DueAt { get; init; }

    public Optional<TaskMetadataRequest> Metadata { get; init; }
}
