using UserData.Grains.Common;
using UserData.Grains.Users;
using UserData.Runtime.Grains;

namespace UserData.Grains.Emails;

/// <summary>
/// The claim on one email address, keyed by a keyed hash of the normalized email (<see cref="Validation.ValidationRules.NormalizeEmail"/>):
/// the gateway makes the key, and neither the key nor the state holds the address, so erasing the user leaves none.
/// Being a single-activation actor, it makes registration unique without a lock: two registrations of
/// one email run one after the other here, and the second sees the first's claim.
/// </summary>
[GrainType("email")]
public interface IEmailGrain : IGrain
{
    /// <summary>
    /// Claims the email for a new user and registers that user. Throws <see cref="Errors.EmailTakenException"/>
    /// when a live user holds it. With an idempotency key seen before, returns the same user (Replayed).
    /// </summary>
    Task<CommandResult<UserProfile>> RegisterAsync(Registration registration, IdempotencyKey? idempotency, RequestContext request);

    /// <summary>The user id the email is claimed for, or null. The user may be erased or not yet registered: ask it.</summary>
    [ReadOnly]
    Task<string?> GetClaimantAsync();

    /// <summary>Frees the email after its user was erased; does nothing if the claim names another user.</summary>
    Task ReleaseAsync(string userId, RequestContext request);
}

/// <summary>
/// A registration as the gateway sends it: the password already hashed, the role decided, and the new user's id
/// drawn at random by the caller, so that a retry of the same call (the runtime retries once after a stale
/// append) recognizes its own claim instead of treating it as someone else's.
/// </summary>
public sealed record Registration(string UserId, string Email, string PasswordHash, string? DisplayName, string Role);
