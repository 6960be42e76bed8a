using System.Text.Json;

namespace UserData.Grains.Audit;

/// <summary>One field's value before and after a change; null when it had (or has) none.</summary>
public sealed record FieldChange(JsonElement? Old, JsonElement? New);

/// <summary>One entry of GET /me/audit.</summary>
public sealed record AuditEntry(long Seq, string Action, DateTimeOffset At, string? RequestId, IReadOnlyDictionary<string, FieldChange> Changes);
