namespace UserData.Gateway.Tests.Metrics;

/// <summary>
/// Tests that read <c>/metrics</c> of an in-process gateway run alone: OpenTelemetry listens to meters by name across the
/// process, so another in-process host's ASP.NET Core meters would show up in this one's exposition as the same series.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}
