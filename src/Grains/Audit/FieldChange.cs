using System.Text.Json;

namespace UserData.Grains.Audit;

/// <summary>One field's value before and after a change; null when it had (or has) none.</summary>
[GenerateSerializer, Immutable, Alias("field-change")]
public sealed record FieldChange([property: Id(0)] JsonElement? Old, [property: Id(1)] JsonElement? New);

/// <summary>One entry of GET /me/audit.</summary>
[GenerateSerializer, Immutable, Alias("audit-entry")]
public sealed record AuditEntry(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Action,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string? RequestId,
    [property: Id(4)] IReadOnlyDictionary<string, FieldChange> Changes);
