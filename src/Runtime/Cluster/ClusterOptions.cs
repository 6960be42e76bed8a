using System.ComponentModel.DataAnnotations;

namespace UserData.Runtime.Cluster;

public enum ClusterProvider
{
    /// <summary>One silo, no membership table: every grain is local.</summary>
    Localhost,

    /// <summary>Membership in the DynamoDB table <c>{Storage:DynamoDB:TablePrefix}membership</c>.</summary>
    DynamoDB,
}

/// <summary>Clustering: membership, placement and the silo-to-silo transport (configuration section <c>Cluster</c>).</summary>
public sealed class ClusterOptions : IValidatableObject
{
    public const string SectionName = "Cluster";

    public ClusterProvider Provider { get; set; } = ClusterProvider.Localhost;

    /// <summary>The partition of the membership table this silo joins.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.:-]{1,128}$", ErrorMessage = "ClusterId must be 1-128 letters, digits, '_', '.', ':' or '-'.")]
    public string ClusterId { get; set; } = "dev";

    /// <summary>Port of the HTTP/2 silo-to-silo endpoint.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Host name or IP other silos reach this one at; detected when empty (see <see cref="Addressing.AdvertisedAddressResolver"/>).</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Signs silo-to-silo and gateway-to-silo requests (HMAC-SHA256); required with <see cref="ClusterProvider.DynamoDB"/>.</summary>
    public string? Secret { get; set; }

    /// <summary>
    /// The secret being rotated out: requests signed with it are still accepted (signing always uses <see cref="Secret"/>),
    /// so silos on the old and the new secret understand each other during a rolling deploy. Empty means none.
    /// </summary>
    public string? PreviousSecret { get; set; }

    /// <summary>
    /// How many nonces of accepted requests a silo remembers to refuse replays. At the cap the oldest is dropped and
    /// requests not newer than it are refused, so the acceptance window narrows instead of memory growing.
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int ReplayCacheCapacity { get; set; } = Transport.ReplayCache.DefaultCapacity;

    /// <summary>How often a silo renews its membership row and everyone re-reads the table.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A silo whose heartbeat has not changed for this long is treated as dead and marked Dead.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "01:00:00")]
    public TimeSpan SuspicionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A silo that could not renew its heartbeat for <c>SuspicionTimeout - SelfFenceMargin</c> stops serving grains,
    /// so it is fenced before any other silo can declare it dead and activate its grains.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan SelfFenceMargin { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Dead rows older than this are deleted from the membership table.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan DeadRowRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts of a call whose answer was "not owner", "unavailable" or "stale", or whose silo refused the connection.</summary>
    [Range(1, 100)]
    public int MaxCallAttempts { get; set; } = 20;

    /// <summary>First back-off between such attempts; it doubles up to eight times this.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How far a signed request's timestamp may be from this silo's clock.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the ECS task metadata endpoint may take to answer when detecting the advertised address.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == ClusterProvider.DynamoDB && (Secret is null || Secret.Length < 16))
        {
            yield return new ValidationResult(
                "Cluster:Secret (Cluster__Secret) of at least 16 characters is required with Cluster:Provider=DynamoDB.", [nameof(Secret)]);
        }

        if (!string.IsNullOrEmpty(PreviousSecret) && PreviousSecret.Length < 16)
        {
            yield return new ValidationResult(
                "Cluster:PreviousSecret (Cluster__PreviousSecret), when set, must be at least 16 characters, like Cluster:Secret.", [nameof(PreviousSecret)]);
        }

        if (SuspicionTimeout - SelfFenceMargin < 2 * HeartbeatInterval)
        {
            yield return new ValidationResult(
                "Cluster:SuspicionTimeout - Cluster:SelfFenceMargin must be at least two heartbeat intervals, so one slow heartbeat does not fence a silo.",
                [nameof(SuspicionTimeout), nameof(SelfFenceMargin)]);
        }

        if (SelfFenceMargin < HeartbeatInterval / 2)
        {
            yield return new ValidationResult(
                "Cluster:SelfFenceMargin must be at least half a heartbeat interval, so a silo fences itself before others declare it dead.",
                [nameof(SelfFenceMargin)]);
        }
    }
}
