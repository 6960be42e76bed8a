using Microsoft.Net.Http.Headers;

namespace UserData.Gateway.Dashboard;

public static class DashboardFiles
{
    /// <summary>Serves the dashboard's script and style sheet from <c>wwwroot/dashboard</c> (the page itself is <c>GET /dashboard</c>).</summary>
    public static IApplicationBuilder UseDashboardFiles(this IApplicationBuilder app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = file =>
            {
                file.Context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
                file.Context.Response.Headers.CacheControl = "no-cache";
            },
        });
}
