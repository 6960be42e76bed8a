using System.Text.Json;
using System.Text.Json.Nodes;

namespace UserData.Grains.Patching;

/// <summary>JSON Merge Patch (RFC 7396) and the size and depth limits of the user's attributes.</summary>
public static class JsonMergePatch
{
    /// <summary>Largest serialized attributes object, in UTF-8 bytes.</summary>
    public const int MaxAttributesBytes = 32 * 1024;

    /// <summary>Deepest nesting of objects and arrays, the attributes object itself being level 1.</summary>
    public const int MaxAttributesDepth = 8;

    /// <summary>Applies <paramref name="patch"/> to <paramref name="target"/>; neither is changed, the result is a new node.</summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : [];
        MergeInto(result, patchObject);
        return result;
    }

    /// <summary>Merges a patch into an attributes object; a null patch (or a non-object) is not an object of attributes.</summary>
    public static JsonElement ApplyToAttributes(JsonElement attributes, JsonElement patch)
    {
        if (patch.ValueKind != JsonValueKind.Object)
        {
            return EmptyObject;
        }

        // A tree over the attributes of its own, so the patch goes into it in place instead of into a second copy.
        var merged = attributes.ValueKind == JsonValueKind.Object ? JsonObject.Create(attributes)! : [];
        MergeInto(merged, JsonObject.Create(patch)!);
        return JsonSerializer.SerializeToElement(merged, JsonNodeContext.Default.JsonObject);
    }

    /// <summary>RFC 7396 on an object, in place: what the patch holds is copied into <paramref name="target"/>, never moved.</summary>
    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch)
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject patchObject)
            {
                if (target[name] is not JsonObject targetObject)
                {
                    targetObject = [];
                    target[name] = targetObject;
                }

                MergeInto(targetObject, patchObject);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }

    public static JsonElement EmptyObject { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>
    /// UTF-8 bytes of <paramref name="element"/>'s canonical form, the size the attributes limit counts: compact JSON (no
    /// whitespace) whose strings escape only what JSON requires (quote, backslash, control characters). So neither a
    /// client's whitespace nor its escapes (<c>\u20ac</c> for <c>€</c>) count, and neither does how storage escapes text.
    /// </summary>
    public static int SerializedBytes(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var objectBytes = 2;
                foreach (var property in element.EnumerateObject())
                {
                    objectBytes += StringBytes(property.Name) + 1 + SerializedBytes(property.Value);
                }

                return objectBytes + Math.Max(0, element.GetPropertyCount() - 1);
            case JsonValueKind.Array:
                var arrayBytes = 2;
                foreach (var item in element.EnumerateArray())
                {
                    arrayBytes += SerializedBytes(item);
                }

                return arrayBytes + Math.Max(0, element.GetArrayLength() - 1);
            case JsonValueKind.String:
                return StringBytes(element.GetString()!);
            default:
                // A number as written, true, false or null: ASCII without whitespace.
                return element.GetRawText().Length;
        }
    }

    private static int StringBytes(string text)
    {
        var bytes = 2;
        foreach (var rune in text.EnumerateRunes())
        {
            bytes += rune.Value switch
            {
                '"' or '\\' or '\b' or '\f' or '\n' or '\r' or '\t' => 2,
                < 0x20 => 6,
                _ => rune.Utf8SequenceLength,
            };
        }

        return bytes;
    }

    /// <summary>Nesting depth of objects and arrays (a scalar is 0, <c>{}</c> is 1).</summary>
    public static int Depth(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var deepestProperty = 0;
                foreach (var property in element.EnumerateObject())
                {
                    deepestProperty = Math.Max(deepestProperty, Depth(property.Value));
                }

                return 1 + deepestProperty;
            case JsonValueKind.Array:
                var deepestItem = 0;
                foreach (var item in element.EnumerateArray())
                {
                    deepestItem = Math.Max(deepestItem, Depth(item));
                }

                return 1 + deepestItem;
            default:
                return 0;
        }
    }
}
