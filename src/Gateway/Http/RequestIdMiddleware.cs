namespace UserData.Gateway.Http;

/// <summary>
/// Keeps a client's <c>X-Request-Id</c> (or <c>X-Correlation-Id</c>) when it is 1-128 characters of
/// <c>[A-Za-z0-9._-]</c>, else makes one; echoes it and puts it in the log scope of the whole request.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string Header = "X-Request-Id";
    public const string CorrelationHeader = "X-Correlation-Id";

    // Defined once: BeginScope with a format string looks its template up and boxes its arguments on every request.
    private static readonly Func<ILogger, string, IDisposable?> RequestScope = LoggerMessage.DefineScope<string>("RequestId:{RequestId}");

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var requestId = FromClient(context.Request.Headers[Header]) ?? FromClient(context.Request.Headers[CorrelationHeader]) ?? NewId();
        context.TraceIdentifier = requestId;
        // Set when the response starts, since an error response clears the headers set before it.
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            http.Response.Headers[Header] = http.TraceIdentifier;
            return Task.CompletedTask;
        }, context);
        using (RequestScope(logger, requestId))
        {
            await next(context);
        }
    }

    public static bool IsValid(string? value) =>
        value is { Length: > 0 and <= 128 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>
    /// 32 hex characters. A request id needs uniqueness, not secrecy: <see cref="Random.Shared"/> costs no system call,
    /// where <see cref="Guid.NewGuid"/> asks the kernel for random bytes on every request.
    /// </summary>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private static string? FromClient(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 && IsValid(values[0]) ? values[0] : null;
}
