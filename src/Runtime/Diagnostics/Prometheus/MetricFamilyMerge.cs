namespace UserData.Runtime.Diagnostics.Prometheus;

/// <summary>
/// Adds the metric families of several processes into one cluster-wide view: counters and gauges add per identical
/// label set, histograms add their bucket counts, sum and count.
/// </summary>
public static class MetricFamilyMerge
{
    public static IReadOnlyList<MetricFamily> Merge(IEnumerable<IReadOnlyList<MetricFamily>> processes)
    {
        ArgumentNullException.ThrowIfNull(processes);
        var merged = new Dictionary<string, (MetricFamily First, Dictionary<string, MetricSeries> Series)>(StringComparer.Ordinal);
        foreach (var family in processes.SelectMany(families => families))
        {
            if (!merged.TryGetValue(family.Name, out var entry))
            {
                entry = (family, new Dictionary<string, MetricSeries>(StringComparer.Ordinal));
                merged.Add(family.Name, entry);
            }
            else if (entry.First.Kind != family.Kind || !entry.First.Bounds.SequenceEqual(family.Bounds))
            {
                // Another build with other buckets or kind: adding would be meaningless, so the first process's figures stand.
                continue;
            }

            foreach (var series in family.Series)
            {
                var key = string.Join('\u0001', series.Labels.Select(label => $"{label.Key}\u0002{label.Value}"));
                entry.Series[key] = entry.Series.TryGetValue(key, out var sum) ? Add(sum, series) : series;
            }
        }

        return [.. merged.Values
            .Select(entry => entry.First with { Series = [.. entry.Series.Values] })
            .OrderBy(family => family.Name, StringComparer.Ordinal)];
    }

    private static MetricSeries Add(MetricSeries left, MetricSeries right) => new(
        left.Labels,
        left.Value + right.Value,
        [.. left.BucketCounts.Zip(right.BucketCounts, (a, b) => a + b)],
        left.Sum + right.Sum,
        left.Count + right.Count);
}
