using System.Diagnostics;
using UserData.Silo.Telemetry;

namespace UserData.Gateway.Logging;

public static class ConsoleLogging
{
    /// <summary>
    /// Log lines on stdout (container platforms collect it) through the console provider: one JSON object per line, or
    /// in the Development environment (<c>dotnet run</c>, by the launch profile) ASP.NET's readable simple format.
    /// Providers added before, e.g. by tests, are kept. Scopes are included in both, so every line written while a
    /// request runs carries its trace and span ids (from the request's <see cref="Activity"/>) and the API request id
    /// (<c>RequestIdMiddleware</c>'s scope), grain turns included: they run in the caller's execution context.
    /// </summary>
    /// <remarks>
    /// ASP.NET Core's own per-request scope carries Kestrel's connection-based id under the same name, RequestId,
    /// which would give every line two different request ids. Its category is therefore silenced, and
    /// <see cref="RequestLogMiddleware"/> writes the per-request line instead, inside the API request id's scope.
    /// Silencing it would also stop the request <see cref="Activity"/> (hence the trace id), so
    /// <see cref="RequestActivityListener"/> keeps activities on.
    /// </remarks>
    public static WebApplicationBuilder AddConsoleLogs(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.Configure(options =>
            options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.AddUserDataConsoleLogs();

        builder.Services.AddHostedService<RequestActivityListener>();
        return builder;
    }

    /// <summary>Logs each request's outcome; goes right after the request id middleware, so the line is in its scope.</summary>
    public static IApplicationBuilder UseRequestLog(this IApplicationBuilder app) => app.UseMiddleware<RequestLogMiddleware>();
}
