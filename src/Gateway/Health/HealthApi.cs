using UserData.Gateway.OpenApi;
using UserData.Silo.Health;

namespace UserData.Gateway.Health;

/// <summary>Liveness and readiness (no /api/v1 prefix, no authentication), documented in the API document.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var (liveness, readiness) = app.MapUserDataHealth();
        liveness.WithName("getHealth").WithTags("Operations").InApiDocument()
            .WithSummary("Liveness: answers while the process runs");
        readiness.WithName("getReadiness").WithTags("Operations").InApiDocument()
            .WithSummary("Readiness: storage answers and the local silo is active (or, for a gateway without a silo, a silo answers)")
            .Produces<HealthStatus>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}
