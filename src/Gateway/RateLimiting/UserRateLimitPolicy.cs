using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using UserData.Gateway.Auth;
using UserData.Gateway.Options;

namespace UserData.Gateway.RateLimiting;

/// <summary>
/// A token bucket per user (per client address for a request without a user) on the /me routes. It runs on every
/// authenticated request, so it reads its options and builds its limiter factory once, not per request. The buckets
/// are not auto-replenishing: ASP.NET's partitioned limiter already replenishes its partitions from one timer,
/// where each auto-replenishing bucket would keep a timer of its own per user.
/// </summary>
public sealed class UserRateLimitPolicy : IRateLimiterPolicy<string>
{
    private readonly Func<string, RateLimiter> _newBucket;

    public UserRateLimitPolicy(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.UserRequestsPerSecond * 2,
            TokensPerPeriod = options.Value.UserRequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = false,
        };
        _newBucket = _ => new TokenBucketRateLimiter(bucket);
    }

    /// <summary>Null: refusals are written by the limiter's shared <c>OnRejected</c>.</summary>
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => null;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var user = httpContext.User.Identity?.IsAuthenticated == true ? httpContext.User.UserId() : RateLimitingSetup.ClientAddress(httpContext);
        return new RateLimitPartition<string>(user, _newBucket);
    }
}
