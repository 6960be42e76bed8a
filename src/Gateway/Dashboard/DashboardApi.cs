using Microsoft.Net.Http.Headers;
using UserData.Gateway.Api;
using UserData.Gateway.Http;
using UserData.Runtime.Diagnostics.Prometheus;
using UserData.Runtime.Hosting;

namespace UserData.Gateway.Dashboard;

/// <summary>
/// The operator dashboard: the static page at <c>/dashboard</c> (<see cref="DashboardFiles"/>) and the
/// admin-only data it polls, <c>GET /api/v1/admin/dashboard/snapshot</c>. The data is read from the metric
/// aggregates only when asked for: no timer or history exists for the dashboard, so with no viewer it costs nothing.
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

    public static IResult GetSnapshot(HttpContext context, MetricsCollector collector, ClusterOverview overview, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(overview);
        ArgumentNullException.ThrowIfNull(time);
        var snapshot = DashboardSnapshotBuilder.Build(collector.Collect(), overview.Silos(), time.GetUtcNow());
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
