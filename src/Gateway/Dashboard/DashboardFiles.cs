using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace UserData.Gateway.Dashboard;

/// <summary>
/// The dashboard's page, script and style sheet, embedded in the gateway's assembly from <c>wwwroot/dashboard</c>: they
/// are found whatever the working directory or content root (<c>dotnet /app/UserData.Gateway.dll</c> from anywhere).
/// </summary>
public static class DashboardFiles
{
    /// <summary>The files by name (<c>index.html</c>, <c>dashboard.js</c>, <c>dashboard.css</c>).</summary>
    public static IFileProvider Provider { get; } =
        new EmbeddedFileProvider(typeof(DashboardFiles).Assembly, "UserData.Gateway.wwwroot.dashboard");

    /// <summary>Serves the script and style sheet under <c>/dashboard/</c> (the page itself is <c>GET /dashboard</c>).</summary>
    public static IApplicationBuilder UseDashboardFiles(this IApplicationBuilder app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Provider,
            RequestPath = "/dashboard",
            OnPrepareResponse = file =>
            {
                file.Context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
                file.Context.Response.Headers.CacheControl = "no-cache";
            },
        });
}
