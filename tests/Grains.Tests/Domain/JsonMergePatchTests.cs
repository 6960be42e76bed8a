using System.Text.Json;
using System.Text.Json.Nodes;
using UserData.Grains.Patching;

namespace UserData.Grains.Tests.Domain;

public class JsonMergePatchTests
{
    // The examples of RFC 7396, appendix A.
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":"b","b":"c"}""", """{"a":null}""", """{"b":"c"}""")]
    [InlineData("""{"a":["b"]}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"c"}""", """{"a":["b"]}""", """{"a":["b"]}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[{"b":"c"}]}""", """{"a":[1]}""", """{"a":[1]}""")]
    [InlineData("""["a","b"]""", """["c","d"]""", """["c","d"]""")]
    [InlineData("""{"a":"b"}""", """["c"]""", """["c"]""")]
    [InlineData("""{"a":"foo"}""", "null", "null")]
    [InlineData("""{"a":"foo"}""", "\"bar\"", "\"bar\"")]
    [InlineData("""{"e":null}""", """{"a":1}""", """{"e":null,"a":1}""")]
    [InlineData("""[1,2]""", """{"a":"b","c":null}""", """{"a":"b"}""")]
    [InlineData("""{}""", """{"a":{"bb":{"ccc":null}}}""", """{"a":{"bb":{}}}""")]
    public void Applies_the_rfc_examples(string target, string patch, string expected)
    {
        var result = JsonMergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result), result?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Leaves_its_inputs_unchanged()
    {
        var target = JsonNode.Parse("""{"a":{"b":1}}""");
        var patch = JsonNode.Parse("""{"a":{"c":2}}""");

        JsonMergePatch.Apply(target, patch);

        Assert.Equal("""{"a":{"b":1}}""", target!.ToJsonString());
        Assert.Equal("""{"a":{"c":2}}""", patch!.ToJsonString());
    }

    [Theory]
    [InlineData("1", 0)]
    [InlineData("{}", 1)]
    [InlineData("""{"a":[]}""", 2)]
    [InlineData("""{"a":{"b":{"c":[1]}}}""", 4)]
    public void Measures_nesting_depth(string json, int depth) =>
        Assert.Equal(depth, JsonMergePatch.Depth(JsonDocument.Parse(json).RootElement));

    [Fact]
    public void Merging_into_attributes_never_yields_a_non_object()
    {
        var merged = JsonMergePatch.ApplyToAttributes(JsonDocument.Parse("""{"a":1}""").RootElement, JsonDocument.Parse("""{"a":null}""").RootElement);

        Assert.Equal(JsonValueKind.Object, merged.ValueKind);
        Assert.Equal("{}", merged.GetRawText());
    }

    [Fact]
    public void Merging_into_attributes_keeps_their_order_and_values_as_written()
    {
        var attributes = JsonDocument.Parse("""{"a":1,"b":{"c":2.5e3,"d":true},"e":"x"}""").RootElement;
        var patch = JsonDocument.Parse("""{"b":{"d":null,"f":[1]},"a":null,"g":{"h":null},"e":"y"}""").RootElement;

        var merged = JsonMergePatch.ApplyToAttributes(attributes, patch);

        Assert.Equal("""{"b":{"c":2.5e3,"f":[1]},"e":"y","g":{}}""", merged.GetRawText());
        Assert.Equal("""{"a":1,"b":{"c":2.5e3,"d":true},"e":"x"}""", attributes.GetRawText());
    }

    [Fact]
    public void A_patch_that_is_not_an_object_empties_the_attributes() =>
        Assert.Equal("{}", JsonMergePatch.ApplyToAttributes(JsonDocument.Parse("""{"a":1}""").RootElement, JsonDocument.Parse("[1]").RootElement).GetRawText());

    [Theory]
    [InlineData("""{"a":"x"}""", 9)]
    [InlineData("""{ "a" :  "x" ,  "b" : [ 1 , 2.5e3 , true , null ] }""", 33)]
    [InlineData("""{"e":"\u20ac"}""", 11)] // the euro sign is 3 UTF-8 bytes, not its 6-character escape
    [InlineData("""{"e":"€"}""", 11)]
    [InlineData("""{"s":"\ud83d\ude00"}""", 12)] // an emoji is 4 bytes
    [InlineData("""{"q":"\"\\"}""", 12)] // a quote and a backslash stay escaped: 2 bytes each
    [InlineData("""{"c":"\u0001\n"}""", 16)] // a control character needs \u0001 (6), a newline \n (2)
    [InlineData("""{"\u00e9":{}}""", 9)]
    public void Serialized_bytes_count_the_compact_utf8_form(string json, int bytes)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(bytes, JsonMergePatch.SerializedBytes(document.RootElement));
    }
}
