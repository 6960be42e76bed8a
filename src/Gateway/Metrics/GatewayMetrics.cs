using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;

namespace UserData.Gateway.Metrics;

/// <summary>
/// The gateway's own instruments on <see cref="MeterName"/>: <c>cluster.silos</c> (gauge; <c>status</c>), the silos
/// this process knows of by membership status. Until clustering lands that is the co-hosted silo: Active while the
/// host runs, ShuttingDown once it stops.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "UserData.Gateway";

    private readonly IHostApplicationLifetime _lifetime;

    public GatewayMetrics(IMeterFactory meterFactory, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _lifetime = lifetime;
        meterFactory.Create(MeterName).CreateObservableGauge("cluster.silos", ObserveSilos, "{silo}", "Silos by membership status.");
    }

    /// <summary>The local silo's membership status.</summary>
    public string LocalSiloStatus =>
        _lifetime.ApplicationStopping.IsCancellationRequested ? "ShuttingDown"
        : _lifetime.ApplicationStarted.IsCancellationRequested ? "Active"
        : "Joining";

    private Measurement<int> ObserveSilos() => new(1, new KeyValuePair<string, object?>("status", LocalSiloStatus));
}
