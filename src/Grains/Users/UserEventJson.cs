using System.Text.Json;
using System.Text.Json.Serialization;

namespace UserData.Grains.Users;

/// <summary>
/// The JSON form the journal stores events in (snake_case, nulls omitted), for measuring how much history an event
/// adds (<see cref="UserState.HistorySegments"/>).
/// </summary>
public static class UserEventJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
