using UserData.Runtime.Journal;

namespace UserData.Grains.Emails;

public sealed class EmailState : IJournaledState<EmailEvent>
{
    /// <summary>The user the email is claimed for, or null when free.</summary>
    public string? UserId { get; set; }

    /// <summary>True once the user grain confirmed the registration.</summary>
    public bool Confirmed { get; set; }

    public DateTimeOffset ClaimedAt { get; set; }

    /// <summary>The Idempotency-Key of the registration that made the claim, and its request fingerprint.</summary>
    public string? IdempotencyKey { get; set; }

    public string? Fingerprint { get; set; }

    public void Apply(EmailEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        switch (@event)
        {
            case EmailClaimed claimed:
                UserId = claimed.UserId;
                Confirmed = false;
                ClaimedAt = claimed.At;
                IdempotencyKey = claimed.IdempotencyKey;
                Fingerprint = claimed.Fingerprint;
                break;
            case EmailConfirmed confirmed when confirmed.UserId == UserId:
                Confirmed = true;
                break;
            case EmailReleased released when released.UserId == UserId:
                UserId = IdempotencyKey = Fingerprint = null;
                Confirmed = false;
                break;
        }
    }
}
