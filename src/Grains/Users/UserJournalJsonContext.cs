using System.Text.Json.Serialization;

namespace UserData.Grains.Users;

/// <summary>
/// Compile-time JSON contracts of the user's journal: every <see cref="UserEvent"/> (through its declared derived types)
/// and the <see cref="UserState"/> snapshots. Used with <see cref="UserEventJson.Options"/>, whose runtime settings are the
/// same as these, so the JSON is exactly what the reflection-based serializer writes.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UserEvent))]
[JsonSerializable(typeof(UserState))]
public sealed partial class UserJournalJsonContext : JsonSerializerContext;
