using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using UserData.Gateway.Auth;
using UserData.Gateway.Http;
using UserData.Gateway.Logging;
using UserData.Gateway.Options;

namespace UserData.Gateway.RateLimiting;

/// <summary>The rate limits of api.md on ASP.NET's built-in rate limiter; refusals are 429 RATE_LIMITED with Retry-After.</summary>
public static class RateLimitingSetup
{
    public const string RegisterPolicy = "register";
    public const string UserPolicy = "user";

    public static IServiceCollection AddApiRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<LoginRateLimiter>();
        services.AddRateLimiter(limiter =>
        {
            limiter.OnRejected = OnRejectedAsync;
            limiter.AddPolicy(RegisterPolicy, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(ClientAddress(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.RegisterPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            limiter.AddPolicy<string, UserRateLimitPolicy>(UserPolicy);
        });
        return services;
    }

    public static string ClientAddress(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    public static Task WriteRejectionAsync(HttpContext context, TimeSpan retryAfter, string policy)
    {
        ArgumentNullException.ThrowIfNull(context);
        GatewayLog.RateLimited(context.RequestServices.GetRequiredService<ILogger<LoginRateLimiter>>(), policy);
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ApiResponses.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "Too many requests; retry later");
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        var policy = rejected.HttpContext.Request.Path.StartsWithSegments("/api/v1/auth", StringComparison.Ordinal) ? RegisterPolicy : UserPolicy;
        await WriteRejectionAsync(rejected.HttpContext, retryAfter, policy);
    }
}

/// <summary>
/// Login attempts per client address and email. The email is in the body, which the rate-limiting middleware
/// cannot see, so the login handler asks this limiter once it has read the body.
/// </summary>
public sealed class LoginRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public LoginRateLimiter(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var permits = options.Value.LoginPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));
    }

    /// <summary>Null when allowed, else how long to wait.</summary>
    public TimeSpan? TryAcquire(string clientAddress, string normalizedEmail)
    {
        using var lease = _limiter.AttemptAcquire($"{clientAddress}|{normalizedEmail}");
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _limiter.Dispose();
}
