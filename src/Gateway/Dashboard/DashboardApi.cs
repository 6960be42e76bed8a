using System.Diagnostics;
using Microsoft.Net.Http.Headers;
using UserData.Gateway.Api;
using UserData.Gateway.Http;
using UserData.Gateway.Metrics;
using UserData.Runtime.Diagnostics.Prometheus;

namespace UserData.Gateway.Dashboard;

/// <summary>
/// The operator dashboard: the static page at <c>/dashboard</c> (files in <c>wwwroot/dashboard</c>) and the
/// admin-only data it polls, <c>GET /api/v1/admin/dashboard/snapshot</c>. The data is read from the metric
/// aggregates only when asked for: no timer or history exists for the dashboard, so with no viewer it costs nothing.
/// </summary>
public static class DashboardApi
{
    public const string SnapshotPath = "/api/v1/admin/dashboard/snapshot";

    // Only this origin's files and API: no CDN, no inline script, no framing.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static readonly DateTimeOffset ProcessStartedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/dashboard", ServePage).ExcludeFromDescription();
        app.MapGet(SnapshotPath, GetSnapshot)
            .RequireAuthorization(AdminApi.AdminPolicy)
            .WithTags("Admin");
        return app;
    }

    public static IResult GetSnapshot(HttpContext context, MetricsCollector collector, GatewayMetrics gateway, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(time);
        var localSilo = new SiloView(
            Environment.MachineName,
            gateway.LocalSiloStatus,
            ProcessStartedAt,
            HeartbeatAgeSeconds: 0,
            Environment.CpuUsage.TotalTime.TotalSeconds,
            Environment.ProcessorCount,
            Environment.WorkingSet,
            Activations: 0);
        var snapshot = DashboardSnapshotBuilder.Build(collector.Collect(), localSilo, time.GetUtcNow());
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new DashboardEnvelope(snapshot, ApiResponses.Meta(context)), DashboardJsonContext.Default.DashboardEnvelope);
    }

    private static IResult ServePage(HttpContext context, IWebHostEnvironment environment)
    {
        var page = environment.WebRootFileProvider.GetFileInfo("dashboard/index.html");
        if (!page.Exists || page.PhysicalPath is null)
        {
            return TypedResults.NotFound();
        }

        context.Response.Headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.PhysicalFile(page.PhysicalPath, "text/html; charset=utf-8");
    }
}
