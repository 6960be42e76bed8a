using System.ComponentModel.DataAnnotations;

namespace UserData.Gateway.Options;

/// <summary>Request rate limits (configuration section <c>RateLimits</c>).</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Login attempts per minute per client address and email.</summary>
    [Range(1, 1_000_000)]
    public int LoginPerMinute { get; set; } = 10;

    /// <summary>Registrations per minute per client address.</summary>
    [Range(1, 1_000_000)]
    public int RegisterPerMinute { get; set; } = 20;

    /// <summary>Requests per second per user on /me routes; bursts may reach twice this.</summary>
    [Range(1, 1_000_000)]
    public int UserRequestsPerSecond { get; set; } = 50;
}
