using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace UserData.Silo.Health;

/// <summary>Liveness and readiness for load balancers and ECS, on ASP.NET Core's health checks.</summary>
public static class HealthEndpoints
{
    /// <summary>Checks that decide readiness on the cluster side: the silo is Active, or the client reaches a silo.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The tag the storage providers give their checks (the store answers).</summary>
    public const string StorageTag = "storage";

    /// <summary>How long one check may take before readiness counts it as failed (a store that hangs must not hang the probe).</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    /// <summary>ASP.NET Core's health checks, each limited to <see cref="CheckTimeout"/> unless its registration says otherwise.</summary>
    public static IHealthChecksBuilder AddUserDataHealthChecks(this IServiceCollection services)
    {
        services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations.Where(registration => registration.Timeout == Timeout.InfiniteTimeSpan))
            {
                registration.Timeout = CheckTimeout;
            }
        });
        return services.AddHealthChecks();
    }

    /// <summary>
    /// <c>GET /health</c>: 200 while the process runs (no dependency is checked, so a storage outage does not get the task
    /// replaced). <c>GET /health/ready</c>: 200 when storage answers and this process serves the cluster, else 503.
    /// </summary>
    public static (RouteHandlerBuilder Liveness, RouteHandlerBuilder Readiness) MapUserDataHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var liveness = endpoints.MapGet("/health", () => TypedResults.Ok(new HealthStatus("ok")));
        var readiness = endpoints.MapGet("/health/ready", ReadyAsync);
        return (liveness, readiness);
    }

    public static async Task<Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>>> ReadyAsync(HealthCheckService health, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(context);
        var report = await health.CheckHealthAsync(
            registration => registration.Tags.Contains(ReadyTag) || registration.Tags.Contains(StorageTag), context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return report.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
            ? TypedResults.Ok(new HealthStatus("ready"))
            : TypedResults.Json(new HealthStatus("unavailable"), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>The body of the health endpoints: <c>ok</c> (live), <c>ready</c> or <c>unavailable</c>.</summary>
public sealed record HealthStatus(string Status);
