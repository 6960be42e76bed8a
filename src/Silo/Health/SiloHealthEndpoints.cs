using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Journal;

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
        endpoints.MapGet("/health/ready", async (IJournalStorage storage, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            if (services.GetService<IClusterMembership>() is { IsServing: false } membership)
            {
                return Results.Json(new { status = "unavailable", reason = $"silo is {membership.LocalStatus}, not serving" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StorageCheckTimeout);
            try
            {
                await storage.CheckHealthAsync(timeout.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Any storage failure means "not ready"; the reason is not exposed.
            catch (Exception)
#pragma warning restore CA1031
            {
                return Results.Json(new { status = "unavailable", reason = "storage does not answer" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return Results.Ok(new { status = "ok" });
        });
        return endpoints;
    }
}
