using Orleans;
using UserData.Gateway.Logging;
using UserData.Grains.Errors;
using Microsoft.AspNetCore.Antiforgery;
using Orleans.Runtime;
using Orleans.Storage;

namespace UserData.Gateway.Http;

/// <summary>
/// Turns every exception into the error envelope: domain exceptions into their codes, Orleans' overload, timeout and
/// silo trouble into 503 with Retry-After, and anything unexpected into a 500 that carries no exception text.
/// </summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: there is nobody to answer.
        }
#pragma warning disable CA1031 // The last line of defence: every failure becomes an error response.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            if (context.Response.HasStarted)
            {
                GatewayLog.ResponseAlreadyStarted(logger, exception);
                throw;
            }

            var error = Map(exception);
            if (error.StatusCode >= StatusCodes.Status500InternalServerError)
            {
                GatewayLog.RequestFailed(logger, exception, error.StatusCode);
            }

            // Not Response.Clear(): that would also drop the CORS headers, and a browser could not read the error.
            context.Response.Headers.ETag = default;
            context.Response.Headers.Location = default;
            if (error.RetryAfterSeconds is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                // The rest of the body is never read, so this connection cannot carry another request.
                context.Response.Headers.Connection = "close";
            }

            await ApiResponses.WriteErrorAsync(context, error.StatusCode, error.Code, error.Message, error.Details);
        }
    }

    public static MappedError Map(Exception exception) => exception switch
    {
        ApiException api => new(api.StatusCode, api.Code, api.Message, api.Details),
        DomainValidationException invalid => new(400, ErrorCodes.ValidationError, "Invalid request data", invalid.Details),
        NotFoundException notFound => new(404, ErrorCodes.NotFound, notFound.Message),
        UserNotFoundException => new(401, ErrorCodes.Unauthenticated, "The account no longer exists"),
        InvalidRefreshTokenException invalid => new(401, ErrorCodes.Unauthenticated, invalid.Message),
        DuplicateNameException duplicate => new(409, ErrorCodes.DuplicateName, duplicate.Message),
        EmailTakenException => new(409, ErrorCodes.EmailTaken, "This email is already registered"),
        PreconditionFailedException failed => new(412, ErrorCodes.PreconditionFailed, failed.Message),
        ForbiddenException forbidden => new(403, ErrorCodes.Forbidden, forbidden.Message),
        LastAdminException lastAdmin => new(409, ErrorCodes.Conflict, lastAdmin.Message),
        TaskLimitExceededException limit => new(422, ErrorCodes.TaskLimitExceeded, limit.Message),
        QuotaExceededException quota => new(422, ErrorCodes.QuotaExceeded, quota.Message, quota.Details),
        IdempotencyKeyReusedException reused => new(422, ErrorCodes.IdempotencyKeyReused, reused.Message),
        Api.RateLimitedException limited => new(429, ErrorCodes.RateLimited, "Too many requests; retry later", RetryAfterSeconds: Math.Max(1, (int)Math.Ceiling(limited.RetryAfter.TotalSeconds))),
        ConcurrentWriterException or InconsistentStateException => new(503, ErrorCodes.Unavailable, "The request conflicted with another write; retry it", RetryAfterSeconds: 1),
        GatewayTooBusyException or LimitExceededException => new(503, ErrorCodes.Unavailable, "The service is busy; retry shortly", RetryAfterSeconds: 1),

        // No answer in time, or the silo died with the request in flight: it may have been applied (an Idempotency-Key
        // makes the retry safe).
        TimeoutException => new(503, ErrorCodes.Unavailable, "The service did not answer in time; retry shortly", RetryAfterSeconds: 1),
        SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException or ClientNotAvailableException => new(503, ErrorCodes.Unavailable, "The service is restarting; retry shortly", RetryAfterSeconds: 1),

        // Kestrel found the body's framing broken, too large or too slow while the endpoint read it.
        BadHttpRequestException bad => FromStatus(bad.StatusCode),

        // A form (the dashboard's sign-in) that could not even be read: too large, or not a well-formed form.
        AntiforgeryValidationException { InnerException: BadHttpRequestException bad } => FromStatus(bad.StatusCode),
        AntiforgeryValidationException => FromStatus(StatusCodes.Status400BadRequest),
        _ => new(500, ErrorCodes.InternalError, "An internal error occurred"),
    };

    private static MappedError FromStatus(int status) => new(status, ErrorCodes.ForStatus(status).Code, ErrorCodes.ForStatus(status).Message);
}

public sealed record MappedError(int StatusCode, string Code, string Message, IReadOnlyList<Grains.Validation.FieldError>? Details = null, int? RetryAfterSeconds = null);
