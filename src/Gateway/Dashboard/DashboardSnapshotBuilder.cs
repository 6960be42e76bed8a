using UserData.Runtime.Diagnostics;
using UserData.Runtime.Diagnostics.Prometheus;
using UserData.Runtime.Hosting;

namespace UserData.Gateway.Dashboard;

/// <summary>
/// Builds the dashboard's view: the silos and their activations by grain type from the cluster overview (every silo in a
/// cluster), calls, queues, storage and HTTP from the given metric families (this process's, the same aggregates as <c>/metrics</c>,
/// and in a cluster every Active silo's added to them).
/// </summary>
public static class DashboardSnapshotBuilder
{
    /// <param name="missingMetrics">Addresses of Active silos whose figures are not in <paramref name="families"/>.</param>
    public static DashboardSnapshot Build(IReadOnlyList<MetricFamily> families, IReadOnlyList<SiloSummary> silos, DateTimeOffset now, IReadOnlyList<string> missingMetrics)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(silos);
        ArgumentNullException.ThrowIfNull(missingMetrics);
        var byName = families.ToDictionary(family => family.Name, StringComparer.Ordinal);
        var queues = Series(byName, "grain_queue_length");
        var activations = silos
            .SelectMany(silo => silo.ActivationsByType)
            .GroupBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => (long)group.Sum(pair => pair.Value), StringComparer.Ordinal);
        var grainTypes = activations.Keys
            .Union(queues.Select(series => series.Label("grain_type") ?? ""))
            .Order(StringComparer.Ordinal)
            .Select(type => new GrainTypeView(type, activations.GetValueOrDefault(type), Sum(queues, "grain_type", type)))
            .ToList();
        var http = Series(byName, "http_server_request_duration_seconds")
            .GroupBy(series => series.Label("http_response_status_code") ?? "none")
            .OrderBy(status => status.Key, StringComparer.Ordinal)
            .Select(status => new HttpStatusView(status.Key, status.Sum(series => series.Count)))
            .ToList();
        var siloViews = silos
            .Select(silo => new SiloView(
                silo.Address,
                silo.Status,
                silo.StartedAt,
                Math.Max(0, (now - silo.LastHeartbeat).TotalSeconds),
                silo.Usage?.CpuPercentOfMachine,
                silo.Usage?.WorkingSetBytes,
                silo.Usage?.GcHeapBytes,
                silo.Activations))
            .ToList();
        return new DashboardSnapshot(
            now,
            RuntimeMetrics.LatencyBuckets,
            siloViews,
            grainTypes,
            Operations(byName, "grain_call_duration_seconds", "grain_type", "method"),
            Operations(byName, "storage_operation_duration_seconds", "provider", "operation"),
            http,
            missingMetrics);
    }

    private static IReadOnlyList<MetricSeries> Series(Dictionary<string, MetricFamily> families, string name) =>
        families.TryGetValue(name, out var family) ? family.Series : [];

    private static long Sum(IReadOnlyList<MetricSeries> series, string label, string value) =>
        (long)series.Where(one => one.Label(label) == value).Sum(one => one.Value);

    // Outcomes other than ok (and a storage conflict, which is the fence working) count as errors.
    private static List<OperationView> Operations(Dictionary<string, MetricFamily> families, string name, string groupLabel, string nameLabel) =>
        [.. Series(families, name)
            .GroupBy(series => (Group: series.Label(groupLabel) ?? "", Name: series.Label(nameLabel) ?? ""))
            .OrderBy(operation => operation.Key.Group, StringComparer.Ordinal)
            .ThenBy(operation => operation.Key.Name, StringComparer.Ordinal)
            .Select(operation => new OperationView(
                operation.Key.Group,
                operation.Key.Name,
                operation.Sum(series => series.Count),
                operation.Where(series => series.Label("outcome") is not ("ok" or "conflict")).Sum(series => series.Count),
                operation.Sum(series => series.Sum),
                [.. Enumerable.Range(0, operation.First().BucketCounts.Count).Select(bucket => operation.Sum(series => series.BucketCounts[bucket]))]))];
}
