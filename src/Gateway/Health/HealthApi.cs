using Microsoft.AspNetCore.Http.HttpResults;
using UserData.Gateway.Http;
using UserData.Runtime.Journal;

namespace UserData.Gateway.Health;

/// <summary>Liveness and readiness (no /api/v1 prefix, no authentication).</summary>
public static class HealthApi
{
    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(3);

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => TypedResults.Ok(new HealthStatus("ok"))).WithTags("Operations");
        app.MapGet("/health/ready", ReadyAsync).WithTags("Operations");
        return app;
    }

    public static async Task<Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>>> ReadyAsync(IJournalStorage storage, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadinessTimeout);
        try
        {
            await storage.CheckHealthAsync(timeout.Token).WaitAsync(ReadinessTimeout, cancellationToken);
            return TypedResults.Ok(new HealthStatus("ready"));
        }
#pragma warning disable CA1031 // Any storage failure means "not ready", which is the answer, not an error.
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return TypedResults.Json(new HealthStatus("unavailable"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
