using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace UserData.Runtime.Diagnostics.Prometheus;

/// <summary><c>GET /metrics</c> for any host of the runtime: the gateway and the silo process.</summary>
public static class PrometheusMetricsExtensions
{
    /// <summary>ASP.NET Core's request meter, whose <c>http.server.request.duration</c> has method, route and status.</summary>
    public const string HostingMeterName = "Microsoft.AspNetCore.Hosting";

    /// <summary>
    /// A <see cref="MetricsCollector"/> over the runtime's meter, ASP.NET Core's request meter, .NET's process meter and
    /// <paramref name="hostMeterNames"/> (meters the host creates through its <see cref="IMeterFactory"/>).
    /// </summary>
    public static IServiceCollection AddPrometheusMetrics(this IServiceCollection services, params string[] hostMeterNames)
    {
        services.AddRuntimeMetrics();
        services.TryAddSingleton(provider => new MetricsCollector(
            provider.GetRequiredService<IMeterFactory>(), [RuntimeMetrics.MeterName, HostingMeterName, .. hostMeterNames]));
        return services;
    }

    /// <summary>Starts collecting at once (so requests before the first scrape count) and maps <c>GET /metrics</c>.</summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var collector = endpoints.ServiceProvider.GetRequiredService<MetricsCollector>();

        // Creating it publishes the runtime's instruments, so the first scrape already has them.
        endpoints.ServiceProvider.GetRequiredService<RuntimeMetrics>();
        return endpoints.MapGet("/metrics", () =>
        {
            var text = new StringBuilder(16 * 1024);
            PrometheusTextWriter.Write(text, collector.Collect());
            return Results.Text(text.ToString(), PrometheusTextWriter.ContentType);
        }).ExcludeFromDescription();
    }
}
