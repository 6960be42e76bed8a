using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using UserData.Lake.Diagnostics;
using UserData.Providers.Diagnostics;

namespace UserData.Silo.Telemetry;

/// <summary>Metrics and traces with OpenTelemetry: Prometheus on <c>/metrics</c>, traces over OTLP when an endpoint is configured.</summary>
public static class TelemetryExtensions
{
    /// <summary>Orleans' own meter (silo, messaging, grains, membership).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>
    /// ASP.NET Core's and Kestrel's, Orleans', the grain calls', the storage providers' and the data lake's meters (and <paramref name="extraMeters"/>),
    /// exported for Prometheus; traces of HTTP requests and grain calls exported over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the standard <c>OTEL_*</c> variables itself).
    /// </summary>
    public static IHostApplicationBuilder AddUserDataTelemetry(this IHostApplicationBuilder builder, params string[] extraMeters)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter(OrleansMeter, ProviderInstruments.MeterName, LakeInstruments.MeterName, GrainCallMetrics.MeterName, "Microsoft.AspNetCore.Server.Kestrel")
                .AddMeter(extraMeters)
                .DropPerRequestDiagnostics()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>
    /// Instruments that ASP.NET Core and Orleans update several times for every request or message, whose series say
    /// nothing the request duration, the rate-limit rejections and the grain call latency do not. Dropping them took
    /// about 5% off the gateway's CPU per <c>GET /me</c> (docs/benchmarks.md).
    /// </summary>
    private static readonly string[] PerRequestDiagnostics =
    [
        "aspnetcore.memory_pool.*",
        "aspnetcore.routing.match_attempts",
        "aspnetcore.authentication.*",
        "aspnetcore.authorization.*",
        "aspnetcore.rate_limiting.request_lease.duration",
        "aspnetcore.rate_limiting.active_request_leases",
        "orleans-directory-lookups-*",
        "orleans-messaging-processing-*",
    ];

    private static MeterProviderBuilder DropPerRequestDiagnostics(this MeterProviderBuilder metrics)
    {
        foreach (var instrument in PerRequestDiagnostics)
        {
            metrics.AddView(instrument, MetricStreamConfiguration.Drop);
        }

        return metrics;
    }

    /// <summary><c>GET /metrics</c> in the Prometheus text format.</summary>
    public static IEndpointRouteBuilder MapUserDataMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }
}
