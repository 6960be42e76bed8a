using System.Text.Json;
using System.Text.Json.Serialization;

namespace UserData.Runtime.Journal;

/// <summary>The JSON form of events and snapshots on disk: snake_case, readable by operators and the data lake.</summary>
public static class JournalJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
