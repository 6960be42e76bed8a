using System.Runtime.InteropServices;
using System.Text.Json;
using Orleans.Serialization.Cloning;

namespace UserData.Grains.Common;

/// <summary>
/// How a <see cref="JsonElement"/> (profile attributes, audit values, a remembered response) crosses a grain call: its
/// UTF-8 JSON text, nothing else. Orleans' System.Text.Json codec wrote the element's .NET type name before every value
/// and parsed and checked that name on every read: about 4% of a pure gateway's CPU under <c>GET /me</c> (docs/benchmarks.md).
/// </summary>
[GenerateSerializer, Immutable, Alias("json-element")]
public readonly struct JsonElementSurrogate(byte[]? utf8Json)
{
    /// <summary>The element's JSON text; null for an element that holds no value (<see cref="JsonValueKind.Undefined"/>).</summary>
    [Id(0)]
    public byte[]? Utf8Json { get; } = utf8Json;
}

[RegisterConverter]
public sealed class JsonElementSurrogateConverter : IConverter<JsonElement, JsonElementSurrogate>
{
    public JsonElement ConvertFromSurrogate(in JsonElementSurrogate surrogate) =>
        surrogate.Utf8Json is { } json ? JsonElement.Parse(json) : default;

    public JsonElementSurrogate ConvertToSurrogate(in JsonElement value) =>
        new(value.ValueKind == JsonValueKind.Undefined ? null : JsonMarshal.GetRawUtf8Value(value).ToArray());
}

/// <summary>
/// A local call hands the element over as it is. Every element the domain carries is a value of its own (deserialized or
/// cloned, never one over a pooled document that its owner disposes), and nothing can change it.
/// </summary>
[RegisterCopier]
public sealed class JsonElementCopier : IDeepCopier<JsonElement>, IOptionalDeepCopier
{
    public JsonElement DeepCopy(JsonElement input, CopyContext context) => input;

    public bool IsShallowCopyable() => true;
}
