namespace UserData.Runtime.Journal;

/// <summary>An event read back from a grain's journal, with its sequence number and the time it was stored.</summary>
public sealed record JournalEntry<TEvent>(long Seq, DateTimeOffset WrittenAt, TEvent Event);
