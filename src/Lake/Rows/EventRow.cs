using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace UserData.Lake.Rows;

/// <summary>
/// A row of <c>events/</c>: one journal event of a user, with the fields analysts use as columns (null where the event
/// type has no such field). What is personal is never a column: no email, display name, password or token hash,
/// profile attribute, idempotency key or remembered response. Times are UTC with millisecond precision.
/// </summary>
public sealed class EventRow
{
    [JsonPropertyName("user_id")]
    public string UserId { get; set; } = string.Empty;

    /// <summary>The event's sequence number in the user's journal: (user_id, seq) is the row's key.</summary>
    [JsonPropertyName("seq")]
    public long Seq { get; set; }

    /// <summary>The event's type, e.g. <c>task.created</c>.</summary>
    [JsonPropertyName("event_type")]
    public string EventType { get; set; } = string.Empty;

    /// <summary>When the event happened (the event's own <c>at</c>); its UTC date is the partition.</summary>
    [JsonPropertyName("occurred_at")]
    [ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)]
    public DateTime OccurredAt { get; set; }

    [JsonPropertyName("request_id")]
    public string? RequestId { get; set; }

    /// <summary>When the journal committed the event.</summary>
    [JsonPropertyName("written_at")]
    [ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)]
    public DateTime WrittenAt { get; set; }

    [JsonPropertyName("task_id")]
    public string? TaskId { get; set; }

    [JsonPropertyName("task_name")]
    public string? TaskName { get; set; }

    [JsonPropertyName("task_description")]
    public string? TaskDescription { get; set; }

    [JsonPropertyName("task_status")]
    public string? TaskStatus { get; set; }

    [JsonPropertyName("task_due_at")]
    [ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)]
    public DateTime? TaskDueAt { get; set; }

    [JsonPropertyName("task_category")]
    public string? TaskCategory { get; set; }

    [JsonPropertyName("task_tags")]
    public List<string>? TaskTags { get; set; }

    [JsonPropertyName("task_version")]
    public long? TaskVersion { get; set; }

    [JsonPropertyName("task_created_at")]
    [ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)]
    public DateTime? TaskCreatedAt { get; set; }

    [JsonPropertyName("task_updated_at")]
    [ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)]
    public DateTime? TaskUpdatedAt { get; set; }

    /// <summary>The names of the fields a task or profile update changed (never their values; profile attributes as <c>attributes</c>).</summary>
    [JsonPropertyName("changed_fields")]
    public List<string>? ChangedFields { get; set; }

    /// <summary>The role a user registered with.</summary>
    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("session_family_id")]
    public string? SessionFamilyId { get; set; }

    [JsonPropertyName("session_expires_at")]
    [ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)]
    public DateTime? SessionExpiresAt { get; set; }

    /// <summary>Why a session was revoked: <c>logout</c> or <c>reuse</c>.</summary>
    [JsonPropertyName("session_revoke_reason")]
    public string? SessionRevokeReason { get; set; }

    [JsonPropertyName("result_id")]
    public string? ResultId { get; set; }

    [JsonPropertyName("result_data_version")]
    public long? ResultDataVersion { get; set; }

    [JsonPropertyName("result_tasks_total")]
    public int? ResultTasksTotal { get; set; }

    [JsonPropertyName("result_completion_rate")]
    public double? ResultCompletionRate { get; set; }

    [JsonPropertyName("result_overdue")]
    public int? ResultOverdue { get; set; }

    /// <summary>The operation an idempotency key was recorded for, e.g. <c>create_task</c>.</summary>
    [JsonPropertyName("idempotency_operation")]
    public string? IdempotencyOperation { get; set; }
}
