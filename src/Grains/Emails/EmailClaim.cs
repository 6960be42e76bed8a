namespace UserData.Grains.Emails;

/// <summary>The stored claim on one email address (grain storage, written whole).</summary>
[GenerateSerializer, Alias("email-claim")]
public sealed class EmailClaim
{
    /// <summary>The user the email is claimed for, or null when free.</summary>
    [Id(0)]
    public string? UserId { get; set; }

    /// <summary>True once the user grain confirmed the registration.</summary>
    [Id(1)]
    public bool Confirmed { get; set; }

    [Id(2)]
    public DateTimeOffset ClaimedAt { get; set; }

    /// <summary>The Idempotency-Key of the registration that made the claim, and its request fingerprint.</summary>
    [Id(3)]
    public string? IdempotencyKey { get; set; }

    [Id(4)]
    public string? Fingerprint { get; set; }
}
