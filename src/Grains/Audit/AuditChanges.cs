using System.Text.Json;
using UserData.Grains.Common;
using UserData.Grains.Tasks;
using UserData.Grains.Users;

namespace UserData.Grains.Audit;

/// <summary>Computes the <c>changes</c> of audit entries, and which journal events are audit entries at all.</summary>
public static class AuditChanges
{
    /// <summary>The fields of a task that differ between two versions (all of them for a new task).</summary>
    public static IReadOnlyDictionary<string, FieldChange> Between(TaskItem? before, TaskItem after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var changes = new SortedDictionary<string, FieldChange>(StringComparer.Ordinal);
        Add(changes, "name", before?.Name, after.Name);
        Add(changes, "description", before?.Description, after.Description);
        Add(changes, "status", before is null ? null : TaskStates.ToName(before.Status), TaskStates.ToName(after.Status));
        Add(changes, "due_at", DueText(before?.DueAt), DueText(after.DueAt));
        JsonElement? oldMetadata = before is null ? null : Metadata(before.Metadata);
        var newMetadata = Metadata(after.Metadata);
        if (!SameJson(oldMetadata, newMetadata))
        {
            changes["metadata"] = new FieldChange(oldMetadata, newMetadata);
        }

        return changes;
    }

    public static void Add(IDictionary<string, FieldChange> changes, string field, string? oldValue, string? newValue)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (!string.Equals(oldValue, newValue, StringComparison.Ordinal))
        {
            changes[field] = new FieldChange(Text(oldValue), Text(newValue));
        }
    }

    /// <summary>
    /// One change per attribute that was added, changed or removed between two attributes objects, named
    /// <c>attributes.NAME</c>; unchanged attributes are left out.
    /// </summary>
    public static void AddAttributes(IDictionary<string, FieldChange> changes, JsonElement before, JsonElement after)
    {
        ArgumentNullException.ThrowIfNull(changes);
        // Indexed once: looking each name up with JsonElement.TryGetProperty scans the whole object, which made an update
        // of a user with 1,000 attributes take 5 ms (docs/benchmarks.md).
        var gone = new Dictionary<string, JsonElement>(before.GetPropertyCount(), StringComparer.Ordinal);
        foreach (var property in before.EnumerateObject())
        {
            gone[property.Name] = property.Value;
        }

        foreach (var property in after.EnumerateObject())
        {
            JsonElement? old = gone.Remove(property.Name, out var value) ? value : null;
            if (!SameJson(old, property.Value))
            {
                changes[$"attributes.{property.Name}"] = new FieldChange(old, property.Value);
            }
        }

        foreach (var (name, value) in gone)
        {
            changes[$"attributes.{name}"] = new FieldChange(value, null);
        }
    }

    /// <summary>Whether the event is an audit entry; the others are bookkeeping that changes no user data.</summary>
    public static bool IsAudited(UserEvent @event) =>
        @event is UserRegistered or ProfileUpdated or TaskCreated or TaskUpdated or TaskDeleted or ResultGenerated or SessionRevoked or RoleChanged;

    /// <summary>The audit entry of a journal event, or null for bookkeeping events that change no user data.</summary>
    public static AuditEntry? ToEntry(long seq, UserEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (!IsAudited(@event))
        {
            return null;
        }

        var changes = new SortedDictionary<string, FieldChange>(StringComparer.Ordinal);
        string action;
        switch (@event)
        {
            case UserRegistered registered:
                action = "user.registered";
                Add(changes, "email", null, registered.Email);
                Add(changes, "display_name", null, registered.DisplayName);
                Add(changes, "role", null, registered.Role);
                break;
            case ProfileUpdated updated:
                action = "profile.updated";
                return new AuditEntry(seq, action, updated.At, updated.RequestId, updated.Changes);
            case TaskCreated created:
                action = "task.created";
                Add(changes, "id", null, created.Task.Id);
                foreach (var (field, change) in Between(null, created.Task))
                {
                    changes[field] = change;
                }

                break;
            case TaskUpdated updated:
                action = "task.updated";
                var withId = new SortedDictionary<string, FieldChange>(updated.Changes.ToDictionary(), StringComparer.Ordinal);
                withId["id"] = new FieldChange(Text(updated.Task.Id), Text(updated.Task.Id));
                return new AuditEntry(seq, action, updated.At, updated.RequestId, withId);
            case TaskDeleted deleted:
                action = "task.deleted";
                Add(changes, "id", deleted.TaskId, null);
                Add(changes, "deleted_at", null, Timestamps.ToText(deleted.At));
                break;
            case ResultGenerated generated:
                action = "result.generated";
                Add(changes, "result_id", null, generated.Result.Id);
                changes["data_version"] = new FieldChange(null, JsonSerializer.SerializeToElement(generated.Result.DataVersion, DomainJsonContext.Default.Int64));
                break;
            case SessionRevoked revoked:
                action = "session.revoked";
                Add(changes, "session", revoked.FamilyId, null);
                Add(changes, "reason", null, revoked.Reason);
                break;
            case RoleChanged changed:
                action = "role.changed";
                Add(changes, "role", changed.OldRole, changed.Role);
                Add(changes, "changed_by", null, changed.ChangedBy);
                break;
            default:
                return null;
        }

        return new AuditEntry(seq, action, @event.At, @event.RequestId, changes);
    }

    /// <summary>The size of the entry's JSON, near enough to bound a page by (values as stored, names as written).</summary>
    public static long JsonBytes(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        long bytes = 128 + entry.Action.Length + (entry.RequestId?.Length ?? 0);
        foreach (var (field, change) in entry.Changes)
        {
            bytes += 32 + field.Length + ValueBytes(change.Old) + ValueBytes(change.New);
        }

        return bytes;
    }

    private static long ValueBytes(JsonElement? value) =>
        value is { } element ? System.Text.Encoding.UTF8.GetByteCount(element.GetRawText()) : 4;

    private static string? DueText(DateTimeOffset? value) => value is { } due ? Timestamps.ToText(due) : null;

    private static JsonElement? Text(string? value) => value is null ? null : DomainJsonContext.Text(value);

    private static JsonElement Metadata(TaskMetadata metadata) =>
        JsonSerializer.SerializeToElement(metadata, DomainJsonContext.Default.TaskMetadata);

    private static bool SameJson(JsonElement? left, JsonElement? right) =>
        (left, right) switch
        {
            (null, null) => true,
            (null, _) or (_, null) => false,
            _ => JsonElement.DeepEquals(left.Value, right.Value),
        };
}
