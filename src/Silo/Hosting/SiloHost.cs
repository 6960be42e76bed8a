using Microsoft.AspNetCore.Builder;
using UserData.Runtime.Cluster;
using UserData.Runtime.Diagnostics.Prometheus;
using UserData.Runtime.Hosting;
using UserData.Runtime.Storage;
using UserData.Silo.Health;

namespace UserData.Silo.Hosting;

/// <summary>
/// A silo process: the grain runtime with the given grains, journal storage (<c>Storage:*</c>), clustering
/// (<c>Cluster:*</c>: membership, the silo port, routing) and <c>/health</c>, <c>/health/ready</c>, <c>/metrics</c> on <c>--urls</c>.
/// Public so that test hosts can run the same silo with grains of their own.
/// </summary>
public static class SiloHost
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<GrainRuntimeBuilder> addGrains)
    {
        ArgumentNullException.ThrowIfNull(addGrains);
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(ClusterHostingExtensions.DefaultUrls);
        }

        if (!builder.Environment.IsDevelopment())
        {
            // One JSON object per line for the log collector, as the gateway writes; Development (dotnet run) keeps the readable lines.
            builder.Logging.AddJsonConsole(console =>
            {
                console.IncludeScopes = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }

        addGrains(builder.Services.AddGrainRuntime(builder.Configuration));
        builder.Services.AddJournalStorage(builder.Configuration);
        builder.Services.AddPrometheusMetrics();
        await builder.AddClusterSiloAsync().ConfigureAwait(false);

        var app = builder.Build();
        app.UseSiloPort();
        app.MapSiloHealth();
        app.MapPrometheusMetrics();
        return app;
    }
}
