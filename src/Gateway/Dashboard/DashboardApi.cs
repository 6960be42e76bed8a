using Microsoft.Net.Http.Headers;
using UserData.Gateway.Api;
using UserData.Gateway.Http;
using UserData.Runtime.Cluster.Transport;
using UserData.Runtime.Diagnostics.Prometheus;
using UserData.Runtime.Hosting;

namespace UserData.Gateway.Dashboard;

/// <summary>
/// The operator dashboard: the static page at <c>/dashboard</c> (<see cref="DashboardFiles"/>) and the
/// admin-only data it polls, <c>GET /api/v1/admin/dashboard/snapshot</c>. The data is read from the metric
/// aggregates (in a cluster, also from every other Active silo over the silo port) only when asked for: no timer or history exists for the dashboard, so with no viewer it costs nothing.
/// </summary>
public static class DashboardApi
{
    public const string SnapshotPath = "/api/v1/admin/dashboard/snapshot";

    // Only this origin's files and API: no CDN, no inline script, no framing.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/dashboard", ServePage).ExcludeFromDescription();
        app.MapGet(SnapshotPath, GetSnapshot)
            .RequireAuthorization(AdminApi.AdminPolicy)
            .WithTags("Admin");
        return app;
    }

    public static async Task<IResult> GetSnapshot(HttpContext context, MetricsCollector collector, ClusterOverview overview, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(overview);
        ArgumentNullException.ThrowIfNull(time);

        // In a cluster the calls, storage and HTTP figures are every Active silo's added to this process's own.
        var metrics = context.RequestServices.GetService<ClusterMetrics>() is { } cluster
            ? await cluster.CollectAsync(context.RequestAborted).ConfigureAwait(false)
            : new ClusterMetricsView(collector.Collect(), []);
        var snapshot = DashboardSnapshotBuilder.Build(metrics.Families, overview.Silos(), time.GetUtcNow(), metrics.MissingSilos);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new DashboardEnvelope(snapshot, ApiResponses.Meta(context)), DashboardJsonContext.Default.DashboardEnvelope);
    }

    private static IResult ServePage(HttpContext context)
    {
        var page = DashboardFiles.Provider.GetFileInfo("index.html");
        if (!page.Exists)
        {
            return TypedResults.NotFound();
        }

        context.Response.Headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Stream(page.CreateReadStream(), "text/html; charset=utf-8");
    }
}
