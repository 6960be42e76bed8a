using Microsoft.Net.Http.Headers;

namespace UserData.Gateway.Http;

/// <summary>
/// The headers api.md puts on responses, set as each response starts so that error responses (which clear what was
/// set before them) carry them too: <c>X-Content-Type-Options: nosniff</c> on every response; <c>Cache-Control:
/// no-store</c> on every API response (each is the caller's own data, a token, or an error about them) and on any
/// response to a request with credentials; and <c>Vary: Origin</c> on every response when CORS is on, since the CORS
/// headers differ by origin and a shared cache must not hand one origin's answer to another.
/// </summary>
public sealed class SecurityHeadersMiddleware
{
    private readonly RequestDelegate _next;
    private readonly bool _corsEnabled;

    // Built once: a per-request lambda or state tuple would allocate on every request.
    private readonly Func<object, Task> _setHeaders;

    public SecurityHeadersMiddleware(RequestDelegate next, bool corsEnabled)
    {
        _next = next;
        _corsEnabled = corsEnabled;
        _setHeaders = SetHeaders;
    }

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Registered first, this callback runs last: after the CORS middleware has added its own Vary.
        context.Response.OnStarting(_setHeaders, context);
        return _next(context);
    }

    private Task SetHeaders(object state)
    {
        var http = (HttpContext)state;
        var headers = http.Response.Headers;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        if (http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || http.Request.Headers.ContainsKey(HeaderNames.Authorization))
        {
            headers.CacheControl = "no-store";
        }

        if (_corsEnabled && !headers.Vary.Any(value => value is not null && value.Contains(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase)))
        {
            headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        }

        return Task.CompletedTask;
    }
}
