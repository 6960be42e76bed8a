using UserData.Runtime.Diagnostics.Prometheus;

namespace UserData.Gateway.Metrics;

public static class MetricsServiceCollectionExtensions
{
    /// <summary>The Prometheus collector over the runtime's, ASP.NET Core's, .NET's and the gateway's own meters.</summary>
    public static IServiceCollection AddGatewayMetrics(this IServiceCollection services)
    {
        services.AddSingleton<GatewayMetrics>();
        services.AddPrometheusMetrics(GatewayMetrics.MeterName);
        return services;
    }

    /// <summary>Maps <c>GET /metrics</c>, with the gateway's own instruments published before the first scrape.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.ServiceProvider.GetRequiredService<GatewayMetrics>();
        endpoints.MapPrometheusMetrics();
        return endpoints;
    }
}
