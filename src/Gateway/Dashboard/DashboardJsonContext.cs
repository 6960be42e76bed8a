using System.Text.Json.Serialization;
using UserData.Gateway.Json;

namespace UserData.Gateway.Dashboard;

/// <summary>Source-generated JSON of the dashboard data, in the API's snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, Converters = [typeof(TimestampJsonConverter)])]
[JsonSerializable(typeof(DashboardEnvelope))]
public sealed partial class DashboardJsonContext : JsonSerializerContext;
