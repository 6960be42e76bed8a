using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace UserData.Grains.Patching;

[JsonSerializable(typeof(JsonObject))]
internal sealed partial class JsonNodeContext : JsonSerializerContext;
