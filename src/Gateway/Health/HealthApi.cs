using Microsoft.AspNetCore.Http.HttpResults;
using UserData.Gateway.Http;
using UserData.Gateway.OpenApi;
using UserData.Runtime.Hosting;

namespace UserData.Gateway.Health;

/// <summary>Liveness and readiness (no /api/v1 prefix, no authentication).</summary>
public static class HealthApi
{
    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(3);

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => TypedResults.Ok(new HealthStatus("ok"))).WithName("getHealth").WithTags("Operations").InApiDocument()
            .WithSummary("Liveness: answers while the process runs");
        app.MapGet("/health/ready", ReadyAsync).WithName("getReadiness").WithTags("Operations").InApiDocument()
            .WithSummary("Readiness: storage answers and the local silo is active")
            .Produces<HealthStatus>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>>> ReadyAsync(SiloReadiness readiness, CancellationToken cancellationToken) =>
        await readiness.CheckAsync(ReadinessTimeout, cancellationToken) is null
            ? TypedResults.Ok(new HealthStatus("ready"))
            : TypedResults.Json(new HealthStatus("unavailable"), statusCode: StatusCodes.Status503ServiceUnavailable);
}
