using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UserData.Silo.Health;

/// <summary>Liveness and readiness for load balancers and ECS, on ASP.NET Core's health checks.</summary>
public static class HealthEndpoints
{
    /// <summary>Checks that decide readiness: the cluster side (silo Active, or the client connected).</summary>
    public const string ReadyTag = "ready";

    /// <summary>The tag the storage providers give their checks (the store answers).</summary>
    public const string StorageTag = "storage";

    /// <summary>
    /// <c>GET /health</c>: 200 while the process runs (no dependency is checked, so a storage outage does not get the task
    /// replaced). <c>GET /health/ready</c>: 200 when storage answers and this process serves the cluster, else 503.
    /// </summary>
    public static IEndpointRouteBuilder MapUserDataHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ReadyTag) || registration.Tags.Contains(StorageTag),
            ResponseWriter = WriteAsync,
        });
        return endpoints;
    }

    /// <summary><c>{"status": "ok"}</c> or <c>{"status": "unavailable", "checks": {name: reason}}</c>; the reasons name no secret.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status == HealthStatus.Healthy ? "ok" : "unavailable");
            if (report.Status != HealthStatus.Healthy)
            {
                json.WriteStartObject("checks");
                foreach (var (name, entry) in report.Entries.Where(entry => entry.Value.Status != HealthStatus.Healthy))
                {
                    json.WriteString(name, entry.Description ?? entry.Exception?.Message ?? entry.Status.ToString());
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).AsTask();
    }
}
