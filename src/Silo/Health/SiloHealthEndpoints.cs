using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using UserData.Runtime.Hosting;

namespace UserData.Silo.Health;

/// <summary>Load-balancer and ECS health checks.</summary>
public static class SiloHealthEndpoints
{
    private static readonly TimeSpan StorageCheckTimeout = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapSiloHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        // Liveness: the process runs; no dependency is checked, so a storage outage does not get the task replaced.
        endpoints.MapGet("/health", () => Results.Ok(new { status = "ok" }));

        // Readiness: storage answers and, in a cluster, this silo is Active and not fenced.
        // Readiness: storage answers and this silo takes calls (in a cluster: Active and not fenced).
        endpoints.MapGet("/health/ready", async (SiloReadiness readiness, CancellationToken cancellationToken) =>
            await readiness.CheckAsync(StorageCheckTimeout, cancellationToken) is { } reason
                ? Results.Json(new { status = "unavailable", reason }, statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Ok(new { status = "ok" }));
        return endpoints;
    }
}
