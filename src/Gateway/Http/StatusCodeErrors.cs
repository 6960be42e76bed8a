using Microsoft.AspNetCore.Diagnostics;

namespace UserData.Gateway.Http;

/// <summary>Gives the error envelope to error responses the framework makes without a body (404 route, 405, 401 challenge, 403...).</summary>
public static class StatusCodeErrors
{
    public static Task WriteAsync(StatusCodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var (code, message) = http.Response.StatusCode switch
        {
            400 => (ErrorCodes.ValidationError, "Bad request"),
            401 => (ErrorCodes.Unauthenticated, "A valid access token is required"),
            403 => (ErrorCodes.Forbidden, "Not allowed"),
            404 => (ErrorCodes.NotFound, "No such resource"),
            405 => (ErrorCodes.MethodNotAllowed, "Method not allowed on this resource"),
            413 => (ErrorCodes.PayloadTooLarge, "The request body is too large"),
            415 => (ErrorCodes.UnsupportedMediaType, "Content-Type must be application/json"),
            429 => (ErrorCodes.RateLimited, "Too many requests"),
            503 => (ErrorCodes.Unavailable, "The service is unavailable"),
            >= 500 => (ErrorCodes.InternalError, "An internal error occurred"),
            _ => (ErrorCodes.ValidationError, "Bad request"),
        };
        return ApiResponses.WriteErrorAsync(http, http.Response.StatusCode, code, message);
    }
}
