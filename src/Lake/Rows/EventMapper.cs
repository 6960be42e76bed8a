using System.Text.Json;

namespace UserData.Lake.Rows;

/// <summary>
/// Turns a journal event (the user grain's JSON: snake_case, a <c>type</c> discriminator, <c>at</c> and
/// <c>request_id</c>) into an <see cref="EventRow"/>. Fields are taken by name from a list per event type, so a field
/// added to an event later never reaches the lake unless it is added here: personal data cannot slip in by default.
/// </summary>
public static class EventMapper
{
    /// <summary>The event that erases a user's history: the lake drops every row of that user.</summary>
    public const string ErasureType = "user.erased";

    /// <summary>Journal streams of users are <c>user/{id}</c> (the grain id); other streams are not exported.</summary>
    public const string UserStreamPrefix = "user/";

    public static string? UserIdOf(string stream) =>
        stream is { Length: > 5 } && stream.StartsWith(UserStreamPrefix, StringComparison.Ordinal) ? stream[UserStreamPrefix.Length..] : null;

    public static string StreamOf(string userId) => UserStreamPrefix + userId;

    /// <summary>The event's type, or null when the JSON is not an event object.</summary>
    public static string? TypeOf(JsonElement @event) =>
        @event.ValueKind == JsonValueKind.Object && @event.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

    /// <exception cref="JsonException">The JSON is not an event (no <c>type</c> or <c>at</c>).</exception>
    public static EventRow Map(string userId, long seq, DateTimeOffset writtenAt, JsonElement @event)
    {
        var type = TypeOf(@event) ?? throw new JsonException($"Event {seq} of user {userId} has no type.");
        var row = new EventRow
        {
            UserId = userId,
            Seq = seq,
            EventType = type,
            OccurredAt = Time(@event, "at") ?? throw new JsonException($"Event {seq} of user {userId} ({type}) has no time ('at')."),
            RequestId = Text(@event, "request_id"),
            WrittenAt = writtenAt.UtcDateTime,
        };
        switch (type)
        {
            case "user.registered":
                row.Role = Text(@event, "role");
                break;
            case "profile.updated":
                row.ChangedFields = ChangedFields(@event, profile: true);
                break;
            case "task.created" or "task.updated":
                AddTask(row, @event.TryGetProperty("task", out var task) ? task : default);
                row.ChangedFields = type == "task.updated" ? ChangedFields(@event, profile: false) : null;
                break;
            case "task.deleted":
                row.TaskId = Text(@event, "task_id");
                break;
            case "result.generated" when @event.TryGetProperty("result", out var result):
                row.ResultId = Text(result, "id");
                row.ResultDataVersion = Number(result, "data_version");
                if (result.TryGetProperty("summary", out var summary))
                {
                    row.ResultTasksTotal = (int?)Number(summary, "tasks_total");
                    row.ResultCompletionRate = summary.TryGetProperty("completion_rate", out var rate) && rate.ValueKind == JsonValueKind.Number ? rate.GetDouble() : null;
                    row.ResultOverdue = (int?)Number(summary, "overdue");
                }

                break;
            case "session.started" or "session.rotated":
                row.SessionFamilyId = Text(@event, "family_id");
                row.SessionExpiresAt = Time(@event, "expires_at");
                break;
            case "session.revoked":
                row.SessionFamilyId = Text(@event, "family_id");
                row.SessionRevokeReason = Text(@event, "reason");
                break;
            case "idempotency.recorded" when @event.TryGetProperty("record", out var record):
                row.IdempotencyOperation = Text(record, "operation");
                break;
        }

        return row;
    }

    private static void AddTask(EventRow row, JsonElement task)
    {
        if (task.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        row.TaskId = Text(task, "id");
        row.TaskName = Text(task, "name");
        row.TaskDescription = Text(task, "description");
        row.TaskStatus = Text(task, "status");
        row.TaskDueAt = Time(task, "due_at");
        row.TaskVersion = Number(task, "version");
        row.TaskCreatedAt = Time(task, "created_at");
        row.TaskUpdatedAt = Time(task, "updated_at");
        if (task.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            row.TaskCategory = Text(metadata, "category");
            row.TaskTags = metadata.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                ? [.. tags.EnumerateArray().Where(tag => tag.ValueKind == JsonValueKind.String).Select(tag => tag.GetString()!)]
                : [];
        }
        else
        {
            row.TaskTags = [];
        }
    }

    /// <summary>The changed fields' names, sorted; a profile's attributes are one field, <c>attributes</c> (their names are the user's).</summary>
    private static List<string>? ChangedFields(JsonElement @event, bool profile) =>
        @event.TryGetProperty("changes", out var changes) && changes.ValueKind == JsonValueKind.Object
            ? [.. changes.EnumerateObject()
                .Select(change => profile && change.Name.StartsWith("attributes", StringComparison.Ordinal) ? "attributes" : change.Name)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)]
            : null;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : null;

    private static DateTime? Time(JsonElement element, string name) =>
        Text(element, name) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time.UtcDateTime
            : null;
}
