using System.Text.Json;
using System.Text.Json.Serialization;
using UserData.Grains.Results;
using UserData.Grains.Tasks;

namespace UserData.Grains.Common;

/// <summary>Values the domain turns into JSON itself: audit values and remembered idempotent responses.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(TaskMetadata))]
[JsonSerializable(typeof(TaskView))]
[JsonSerializable(typeof(GeneratedResult))]
[JsonSerializable(typeof(Users.IssuedSession))]
public sealed partial class DomainJsonContext : JsonSerializerContext
{
    public static JsonElement Text(string? value) =>
        JsonSerializer.SerializeToElement(value, Default.String);

    public static JsonElement Time(DateTimeOffset value) => Text(Timestamps.ToText(value));
}
