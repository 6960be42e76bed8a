using System.Diagnostics.Metrics;
using UserData.Runtime.Hosting;

namespace UserData.Gateway.Metrics;

/// <summary>
/// The gateway's own instruments on <see cref="MeterName"/>: <c>cluster.silos</c> (gauge; <c>status</c>), the silos
/// this process knows of by membership status (<see cref="ClusterOverview"/>: the membership table in a cluster,
/// else the co-hosted silo).
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "UserData.Gateway";

    private readonly ClusterOverview _overview;

    public GatewayMetrics(IMeterFactory meterFactory, ClusterOverview overview)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _overview = overview;
        meterFactory.Create(MeterName).CreateObservableGauge("cluster.silos", ObserveSilos, "{silo}", "Silos by membership status.");
    }

    private IEnumerable<Measurement<int>> ObserveSilos() =>
        _overview.Silos()
            .GroupBy(silo => silo.Status, StringComparer.Ordinal)
            .Select(group => new Measurement<int>(group.Count(), new KeyValuePair<string, object?>("status", group.Key)));
}
