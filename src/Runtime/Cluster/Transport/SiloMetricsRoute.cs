using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Cluster.Placement;
using UserData.Runtime.Diagnostics.Prometheus;

namespace UserData.Runtime.Cluster.Transport;

/// <summary>
/// <c>GET /cluster/v1/metrics</c> on the silo port: this silo's collected metric families as JSON, for a dashboard
/// elsewhere in the cluster. Signed like a call (401 otherwise); collected only when asked.
/// </summary>
internal sealed partial class SiloMetricsRoute(RequestSigner signer, IServiceProvider services, ILogger<SiloMetricsRoute> logger)
{
    public const string Path = "/cluster/v1/metrics";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        var refused = signer.Verify(request, []);
        if (refused is not null)
        {
            LogRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", refused);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        // A host without /metrics has no collector: it answers no families rather than failing the dashboard.
        IReadOnlyList<MetricFamily> families = services.GetService<MetricsCollector>()?.Collect() ?? [];
        var answer = JsonSerializer.SerializeToUtf8Bytes(families, MetricsJsonContext.Default.IReadOnlyListMetricFamily);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = answer.Length;
        await context.Response.Body.WriteAsync(answer, context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a silo-port metrics request from {Remote}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string remote, string reason);
}

/// <summary>Families of the whole cluster, and the addresses of Active silos that did not answer in time.</summary>
public sealed record ClusterMetricsView(IReadOnlyList<MetricFamily> Families, IReadOnlyList<string> MissingSilos);

/// <summary>
/// This process's metric families added to those of every other Active silo, fetched over the silo port on request
/// only (no timer, no cache). This process's own silo is read locally, never over the network, so nothing counts twice.
/// </summary>
public sealed partial class ClusterMetrics
{
    /// <summary>Short: the dashboard polls, and a silo that is slow to answer is shown as missing instead.</summary>
    private static readonly TimeSpan SiloTimeout = TimeSpan.FromSeconds(2);

    private readonly MetricsCollector _collector;
    private readonly IClusterMembership _membership;
    private readonly SiloTransportClient _transport;
    private readonly ILogger<ClusterMetrics> _logger;

    internal ClusterMetrics(MetricsCollector collector, IClusterMembership membership, SiloTransportClient transport, ILogger<ClusterMetrics> logger)
    {
        _collector = collector;
        _membership = membership;
        _transport = transport;
        _logger = logger;
    }

    public async Task<ClusterMetricsView> CollectAsync(CancellationToken cancellationToken)
    {
        var local = _collector.Collect();
        var remote = _membership.View.Silos.Where(silo => silo.SiloId != _membership.LocalSiloId).ToList();
        var answers = await Task.WhenAll(remote.Select(silo => TryFetchAsync(silo, cancellationToken))).ConfigureAwait(false);
        var missing = remote.Where((silo, index) => answers[index] is null).Select(silo => silo.Address).ToList();
        return new ClusterMetricsView(MetricFamilyMerge.Merge([local, .. answers.OfType<IReadOnlyList<MetricFamily>>()]), missing);
    }

    private async Task<IReadOnlyList<MetricFamily>?> TryFetchAsync(SiloEndpoint silo, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SiloTimeout);
        try
        {
            return await _transport.GetMetricsAsync(silo, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or JsonException)
        {
            LogMissing(_logger, silo.Address, exception.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} did not answer its metrics for the dashboard: {Reason}")]
    private static partial void LogMissing(ILogger logger, string silo, string reason);
}
