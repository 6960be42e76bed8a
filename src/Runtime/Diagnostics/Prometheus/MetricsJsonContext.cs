using System.Text.Json.Serialization;

namespace UserData.Runtime.Diagnostics.Prometheus;

/// <summary>Source-generated JSON of collected families, as a silo answers them on its port for the dashboard.</summary>
[JsonSerializable(typeof(IReadOnlyList<MetricFamily>))]
internal sealed partial class MetricsJsonContext : JsonSerializerContext;
