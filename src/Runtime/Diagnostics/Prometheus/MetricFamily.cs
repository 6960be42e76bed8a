namespace UserData.Runtime.Diagnostics.Prometheus;

/// <summary>How a family is exposed: Prometheus' counter, gauge or histogram.</summary>
public enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>One metric family as collected: its Prometheus name, help, kind and series.</summary>
/// <param name="Bounds">Histogram bucket upper bounds, ascending (empty for counters and gauges).</param>
public sealed record MetricFamily(string Name, string Help, MetricKind Kind, IReadOnlyList<double> Bounds, IReadOnlyList<MetricSeries> Series);

/// <summary>
/// One series: its labels (sorted by name) and either a value (counter, gauge) or a histogram's
/// per-bucket counts (not cumulative; one more than the bounds, the last for +Inf), sum and count.
/// </summary>
public sealed record MetricSeries(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value, IReadOnlyList<long> BucketCounts, double Sum, long Count)
{
    public string? Label(string name)
    {
        foreach (var label in Labels)
        {
            if (label.Key == name)
            {
                return label.Value;
            }
        }

        return null;
    }
}
