using System.Text.Json;
using System.Text.Json.Serialization;
using UserData.Grains.Audit;
using UserData.Grains.Patching;
using UserData.Grains.Results;
using UserData.Grains.Tasks;

namespace UserData.Grains.Users;

/// <summary>A user's state: the fold of their journal. <see cref="Apply"/> uses nothing but the state and the event.</summary>
[GenerateSerializer, Alias("user-state")]
public sealed class UserState
{
    public const int KeptResults = 50;
    public const int MaxSessionFamilies = 20;
    public const int MaxIdempotencyRecords = 1_000;
    public const int AuditMarkInterval = 100;

    /// <summary>A new <see cref="HistorySegment"/> starts once the current one holds this many bytes of events.</summary>
    public const long HistorySegmentBytes = 256 * 1024;
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    [Id(0)]
    public string? UserId { get; set; }

    [Id(1)]
    public string? Email { get; set; }

    [Id(2)]
    public string? PasswordHash { get; set; }

    [Id(3)]
    public string? DisplayName { get; set; }

    [Id(4)]
    public string Role { get; set; } = Roles.User;

    [Id(5)]
    public JsonElement Attributes { get; set; } = JsonMergePatch.EmptyObject;

    /// <summary>The profile's ETag: bumps on every profile change.</summary>
    [Id(6)]
    public long ProfileVersion { get; set; }

    [Id(7)]
    public DateTimeOffset CreatedAt { get; set; }

    [Id(8)]
    public DateTimeOffset UpdatedAt { get; set; }

    [Id(9)]
    public bool Erased { get; set; }

    /// <summary>Bumps on every change to the user's data (profile or tasks); results are keyed by it.</summary>
    [Id(10)]
    public long DataVersion { get; set; }

    /// <summary>All tasks, deleted ones included, in creation order.</summary>
    [Id(11)]
    public List<TaskItem> Tasks { get; set; } = [];

    /// <summary>The newest <see cref="KeptResults"/> results, oldest first.</summary>
    [Id(12)]
    public List<GeneratedResult> Results { get; set; } = [];

    [Id(13)]
    public List<SessionFamily> Sessions { get; set; } = [];

    [Id(14)]
    public List<IdempotencyRecord> IdempotencyRecords { get; set; } = [];

    /// <summary>
    /// Events applied: the grain's version when the state was folded from the first event. A snapshot written before
    /// this counter existed restores less, and then <see cref="AuditMarks"/> cannot be trusted.
    /// </summary>
    [Id(15)]
    public long AppliedEvents { get; set; }

    /// <summary>Events that are audit entries (<see cref="AuditChanges.IsAudited"/>).</summary>
    [Id(16)]
    public long AuditCount { get; set; }

    /// <summary>
    /// The sequence number of every <see cref="AuditMarkInterval"/>-th audit entry (the 0th, the 100th, ...), so a page of
    /// the audit trail is read from the nearest mark instead of from the first event.
    /// </summary>
    [Id(17)]
    public List<long> AuditMarks { get; set; } = [];

    /// <summary>The journal in segments of about <see cref="HistorySegmentBytes"/>, oldest first, for compaction.</summary>
    [Id(18)]
    public List<HistorySegment> HistorySegments { get; set; } = [];

    [JsonIgnore]
    public bool IsRegistered => UserId is not null && !Erased;

    public TaskItem? FindTask(string id) => Tasks.Find(task => task.Id == id);

    /// <summary>
    /// The oldest segment of the history kept within <paramref name="maxBytes"/>: the newest segments whose bytes add up
    /// to at most that, and always the newest one. Null before any event. It only moves forward as events are applied
    /// (closed segments never change), as compaction requires.
    /// </summary>
    public HistorySegment? RetainedHistory(long maxBytes)
    {
        if (HistorySegments.Count == 0)
        {
            return null;
        }

        var index = HistorySegments.Count - 1;
        var bytes = HistorySegments[index].Bytes;
        while (index > 0 && bytes + HistorySegments[index - 1].Bytes <= maxBytes)
        {
            index--;
            bytes += HistorySegments[index].Bytes;
        }

        return HistorySegments[index];
    }

    /// <summary>The sequence number through which the journal may drop its events' content (0: none).</summary>
    public long CompactableThrough(long maxBytes) => RetainedHistory(maxBytes) is { } kept ? kept.FirstSeq - 1 : 0;

    /// <summary>The ordinal of the oldest audit entry kept within <paramref name="maxBytes"/> of history.</summary>
    public long FirstRetainedAuditOrdinal(long maxBytes) => RetainedHistory(maxBytes)?.FirstAuditOrdinal ?? 0;

    public void Apply(UserEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        AppliedEvents++;
        CountHistory(@event);
        if (AuditChanges.IsAudited(@event))
        {
            if (AuditCount % AuditMarkInterval == 0)
            {
                AuditMarks.Add(AppliedEvents);
            }

            AuditCount++;
        }

        switch (@event)
        {
            case UserRegistered registered:
                UserId = registered.UserId;
                Email = registered.Email;
                PasswordHash = registered.PasswordHash;
                DisplayName = registered.DisplayName;
                Role = registered.Role;
                ProfileVersion = 1;
                DataVersion = 1;
                CreatedAt = UpdatedAt = registered.At;
                break;
            case ProfileUpdated updated:
                DisplayName = updated.DisplayName;
                Attributes = updated.Attributes;
                ProfileVersion++;
                DataVersion++;
                UpdatedAt = updated.At;
                break;
            case TaskCreated created:
                Tasks.Add(created.Task);
                DataVersion++;
                break;
            case TaskUpdated updated:
                ReplaceTask(updated.Task);
                DataVersion++;
                break;
            case TaskDeleted deleted when FindTask(deleted.TaskId) is { } task:
                ReplaceTask(task with { DeletedAt = deleted.At, UpdatedAt = deleted.At, Version = task.Version + 1 });
                DataVersion++;
                break;
            case ResultGenerated generated:
                Results.Add(generated.Result);
                if (Results.Count > KeptResults)
                {
                    Results.RemoveRange(0, Results.Count - KeptResults);
                }

                break;
            case SessionStarted started:
                // Forget families that can no longer be used, and the oldest beyond the cap.
                Sessions.RemoveAll(family => !family.IsUsable(started.At));
                if (Sessions.Count >= MaxSessionFamilies)
                {
                    Sessions.RemoveRange(0, Sessions.Count - MaxSessionFamilies + 1);
                }

                Sessions.Add(new SessionFamily(started.FamilyId, started.TokenHash, started.At, started.ExpiresAt));
                break;
            case SessionRotated rotated:
                ReplaceSession(rotated.FamilyId, family => family with { TokenHash = rotated.TokenHash, IssuedAt = rotated.At, ExpiresAt = rotated.ExpiresAt });
                break;
            case SessionRevoked revoked:
                ReplaceSession(revoked.FamilyId, family => family with { Revoked = true });
                break;
            case IdempotencyRecorded recorded:
                IdempotencyRecords.RemoveAll(record => record.At <= recorded.At - IdempotencyWindow || record.Key == recorded.Record.Key);
                IdempotencyRecords.Add(recorded.Record with { At = recorded.At });
                if (IdempotencyRecords.Count > MaxIdempotencyRecords)
                {
                    // A client retrying more than this many distinct requests within 24 hours loses the oldest replays first.
                    IdempotencyRecords.RemoveRange(0, IdempotencyRecords.Count - MaxIdempotencyRecords);
                }
                break;
            case RoleChanged changed:
                Role = changed.Role;
                ProfileVersion++;
                UpdatedAt = changed.At;
                break;
            case UserErased or RegistrationAbandoned:
                EraseAll();
                break;
        }
    }

    /// <summary>Adds the event's JSON size in the journal to the current segment, or starts a segment with it when that one is full.</summary>
    private void CountHistory(UserEvent @event)
    {
        var bytes = UserEventJson.JournalSize(@event);
        if (HistorySegments.Count == 0 || HistorySegments[^1].Bytes >= HistorySegmentBytes)
        {
            HistorySegments.Add(new HistorySegment(AppliedEvents, AuditCount, bytes));
        }
        else
        {
            HistorySegments[^1] = HistorySegments[^1] with { Bytes = HistorySegments[^1].Bytes + bytes };
        }
    }

    private void ReplaceTask(TaskItem task)
    {
        var index = Tasks.FindIndex(existing => existing.Id == task.Id);
        if (index >= 0)
        {
            Tasks[index] = task;
        }
    }

    private void ReplaceSession(string familyId, Func<SessionFamily, SessionFamily> change)
    {
        var index = Sessions.FindIndex(family => family.FamilyId == familyId);
        if (index >= 0)
        {
            Sessions[index] = change(Sessions[index]);
        }
    }

    private void EraseAll()
    {
        Erased = true;
        Email = PasswordHash = DisplayName = null;
        Attributes = JsonMergePatch.EmptyObject;
        Tasks = [];
        Results = [];
        Sessions = [];
        IdempotencyRecords = [];
        AuditCount = 0;
        AuditMarks = [];
        HistorySegments = [];
    }
}
