using Microsoft.AspNetCore.Diagnostics;

namespace UserData.Gateway.Http;

/// <summary>Gives the error envelope to error responses the framework makes without a body (404 route, 405, 401 challenge, 403...).</summary>
public static class StatusCodeErrors
{
    public static Task WriteAsync(StatusCodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var (code, message) = ErrorCodes.ForStatus(http.Response.StatusCode);
        return ApiResponses.WriteErrorAsync(http, http.Response.StatusCode, code, message);
    }
}
