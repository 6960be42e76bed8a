using System.Text.Json;
using System.Text.Json.Serialization;

namespace UserData.Providers.Journal;

/// <summary>The JSON form of events and snapshots unless the silo passes the domain's own options.</summary>
public static class EventJournalJson
{
    /// <summary>snake_case properties, enums as snake_case strings, nulls omitted: readable by operators and the data lake.</summary>
    public static JsonSerializerOptions CreateDefaultOptions() => new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
