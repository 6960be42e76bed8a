namespace UserData.Silo.Telemetry;

public static class ConsoleLogFormat
{
    /// <summary>
    /// Log lines on stdout (container platforms collect it): one JSON object per line with UTC timestamps, or in the
    /// Development environment (<c>dotnet run</c>, by the launch profile) ASP.NET's readable simple format. Scopes are
    /// included in both, so a line carries the request and trace ids of the request that caused it.
    /// </summary>
    public static IHostApplicationBuilder AddUserDataConsoleLogs(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Environment.IsDevelopment())
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.IncludeScopes = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        else
        {
            builder.Logging.AddJsonConsole(console =>
            {
                console.IncludeScopes = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }

        return builder;
    }
}
