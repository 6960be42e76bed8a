using System.Text.Json.Serialization;

namespace UserData.Grains.Emails;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(EmailClaimed), "email.claimed")]
[JsonDerivedType(typeof(EmailConfirmed), "email.confirmed")]
[JsonDerivedType(typeof(EmailReleased), "email.released")]
public abstract record EmailEvent
{
    public DateTimeOffset At { get; init; }

    public string? RequestId { get; init; }
}

/// <summary>
/// Step 1 of a registration, written before the user grain exists: names the user id it is for, so that a
/// registration interrupted here is finished or undone by the next one (see <see cref="EmailGrain"/>).
/// </summary>
public sealed record EmailClaimed(string UserId, string? IdempotencyKey, string? Fingerprint) : EmailEvent;

/// <summary>Step 3: the user grain has registered the user with this email.</summary>
public sealed record EmailConfirmed(string UserId) : EmailEvent;

/// <summary>The claim is gone: its user was erased, or its registration never completed.</summary>
public sealed record EmailReleased(string UserId, string Reason) : EmailEvent;
