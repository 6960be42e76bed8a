using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace UserData.Grains.Users;

/// <summary>
/// The JSON form the journal stores events and snapshots in (snake_case, enums as snake_case strings, nulls omitted),
/// with contracts generated at compile time (<see cref="UserJournalJsonContext"/>), and the size an event adds to the
/// user's history (<see cref="UserState.HistorySegments"/>).
/// </summary>
public static class UserEventJson
{
    // Sizes the journal reported for events it read back; an event only lives as long as its replay needs it.
    private static readonly ConditionalWeakTable<UserEvent, StrongBox<long>> JournalSizes = [];

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        TypeInfoResolver = UserJournalJsonContext.Default,
    };

    private static readonly JsonTypeInfo<UserEvent> EventContract = (JsonTypeInfo<UserEvent>)Options.GetTypeInfo(typeof(UserEvent));

    /// <summary>Remembers the size of the event's JSON as the journal stored it, so replaying it does not serialize it again.</summary>
    public static void RememberJournalSize(UserEvent @event, int utf8Bytes) => JournalSizes.AddOrUpdate(@event, new StrongBox<long>(utf8Bytes));

    /// <summary>The size in UTF-8 bytes of the event's JSON in the journal: as the journal reported it, else serialized now.</summary>
    public static long JournalSize(UserEvent @event) =>
        JournalSizes.TryGetValue(@event, out var size)
            ? size.Value
            : JsonSerializer.SerializeToUtf8Bytes(@event, EventContract).LongLength;
}
