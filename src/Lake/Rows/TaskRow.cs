using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace UserData.Lake.Rows;

/// <summary>A row of <c>tasks/</c>: a task that exists now (not deleted, its user not erased), as the API shows it.</summary>
public sealed class TaskRow
{
    [JsonPropertyName("user_id")]
    public string UserId { get; set; } = string.Empty;

    [JsonPropertyName("task_id")]
    public string TaskId { get; set; } = string.Empty;

    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("status")]
    public string Status { get; set; } = string.Empty;

    [JsonPropertyName("due_at")]
    [ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)]
    public DateTime? DueAt { get; set; }

    [JsonPropertyName("category")]
    public string? Category { get; set; }

    [JsonPropertyName("tags")]
    public List<string>? Tags { get; set; }

    [JsonPropertyName("version")]
    public long Version { get; set; }

    [JsonPropertyName("created_at")]
    [ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)]
    public DateTime CreatedAt { get; set; }

    [JsonPropertyName("updated_at")]
    [ParquetTimestamp(ParquetTimestampResolution.Milliseconds, true, true)]
    public DateTime UpdatedAt { get; set; }

    /// <summary>The sequence number of the user's event that made this version of the task.</summary>
    [JsonPropertyName("seq")]
    public long Seq { get; set; }

    public static TaskRow From(EventRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new TaskRow
        {
            UserId = row.UserId,
            TaskId = row.TaskId ?? string.Empty,
            Name = row.TaskName ?? string.Empty,
            Description = row.TaskDescription,
            Status = row.TaskStatus ?? string.Empty,
            DueAt = row.TaskDueAt,
            Category = row.TaskCategory,
            Tags = row.TaskTags ?? [], // a task's tags are a list, possibly empty; Parquet.Net reads an empty list back as null
            Version = row.TaskVersion ?? 0,
            CreatedAt = row.TaskCreatedAt ?? default,
            UpdatedAt = row.TaskUpdatedAt ?? default,
            Seq = row.Seq,
        };
    }
}
