using System.Text;
using UserData.Runtime.Diagnostics;

namespace UserData.Gateway.Metrics;

public static class MetricsServiceCollectionExtensions
{
    /// <summary>ASP.NET Core's request meter, whose <c>http.server.request.duration</c> has method, route and status.</summary>
    private const string HostingMeterName = "Microsoft.AspNetCore.Hosting";

    /// <summary>The collector over the runtime's, ASP.NET Core's and the gateway's meters, and .NET's process meter.</summary>
    public static IServiceCollection AddGatewayMetrics(this IServiceCollection services)
    {
        services.AddRuntimeMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton(provider =>
        {
            var collector = new MetricsCollector(
                provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
                [RuntimeMetrics.MeterName, GatewayMetrics.MeterName, HostingMeterName]);

            // Creating these publishes their instruments, so the first scrape already has them.
            provider.GetRequiredService<RuntimeMetrics>();
            provider.GetRequiredService<GatewayMetrics>();
            return collector;
        });
        return services;
    }

    /// <summary>Starts collecting at once (so requests before the first scrape count) and maps <c>GET /metrics</c>.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var collector = endpoints.ServiceProvider.GetRequiredService<MetricsCollector>();
        endpoints.MapGet("/metrics", () =>
        {
            var text = new StringBuilder(16 * 1024);
            PrometheusTextWriter.Write(text, collector.Collect());
            return Results.Text(text.ToString(), PrometheusTextWriter.ContentType);
        }).ExcludeFromDescription();
        return endpoints;
    }
}
