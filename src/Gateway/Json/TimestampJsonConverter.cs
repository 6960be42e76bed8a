using System.Text.Json;
using System.Text.Json.Serialization;
using UserData.Grains.Common;

namespace UserData.Gateway.Json;

/// <summary>Writes timestamps as ISO 8601 UTC with milliseconds; reads any ISO 8601 time with an offset.</summary>
public sealed class TimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>Marks the message of a malformed timestamp so that the error names the issue <c>invalid_format</c>.</summary>
    public const string InvalidFormatMessage = "invalid_format: expected an ISO 8601 timestamp with an offset, e.g. 2026-01-01T12:00:00.000Z";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, got {reader.TokenType}.");
        }

        var text = reader.GetString()!;
        // An ISO 8601 time needs an explicit offset here: a local time would depend on the server's zone.
        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset || !reader.TryGetDateTimeOffset(out var value))
        {
            throw new JsonException(InvalidFormatMessage);
        }

        return Clock.Truncate(value);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> text = stackalloc byte[Timestamps.Length];
        writer.WriteStringValue(text[..Timestamps.FormatUtf8(value, text)]);
    }
}
