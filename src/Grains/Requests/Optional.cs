using System.Text.Json;
using System.Text.Json.Serialization;

namespace UserData.Grains.Requests;

/// <summary>
/// A field of a partial update: absent (leave as is), or present with a value that may be null (clear it).
/// A plain nullable cannot tell "absent" from "null", which PATCH needs.
/// </summary>
[JsonConverter(typeof(OptionalJsonConverterFactory))]
[GenerateSerializer, Immutable, Alias("optional`1")]
public readonly record struct Optional<T>
{
    public Optional(T? value)
    {
        IsSet = true;
        Value = value;
    }

    [Id(0)]
    public bool IsSet { get; }

    [Id(1)]
    public T? Value { get; }

    public T? Or(T? fallback) => IsSet ? Value : fallback;
}

public sealed class OptionalJsonConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(OptionalJsonConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
}

public sealed class OptionalJsonConverter<T> : JsonConverter<Optional<T>>
{
    // Called for an explicit null too, so that null means "set to null" rather than "absent".
    public override bool HandleNull => true;

    public override Optional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return new Optional<T>(default);
        }

        var converter = (JsonConverter<T>)options.GetConverter(typeof(T));
        return new Optional<T>(converter.Read(ref reader, typeof(T), options));
    }

    public override void Write(Utf8JsonWriter writer, Optional<T> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!value.IsSet || value.Value is null)
        {
            writer.WriteNullValue();
            return;
        }

        ((JsonConverter<T>)options.GetConverter(typeof(T))).Write(writer, value.Value, options);
    }
}
