namespace UserData.Grains.Users;

/// <summary>
/// A stretch of the user's journal from <see cref="FirstSeq"/> to the next segment: the unit in which old history is
/// compacted. <see cref="FirstAuditOrdinal"/> is the number of audit entries before it (the ordinal of its first
/// entry), <see cref="Bytes"/> the JSON size of its events.
/// </summary>
[GenerateSerializer, Immutable, Alias("history-segment")]
public sealed record HistorySegment([property: Id(0)] long FirstSeq, [property: Id(1)] long FirstAuditOrdinal, [property: Id(2)] long Bytes);
