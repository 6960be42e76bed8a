using UserData.Grains.Common;
using UserData.Grains.Users;
using Orleans.Concurrency;

namespace UserData.Grains.Emails;

/// <summary>
/// The claim on one email address, keyed by a keyed hash of the normalized email (<see cref="Validation.ValidationRules.NormalizeEmail"/>):
/// the gateway makes the key, and neither the key nor the state holds the address, so erasing the user leaves none.
/// Being a single-activation actor, it makes registration unique without a lock: two registrations of
/// one email run one after the other here, and the second sees the first's claim.
/// </summary>
[Alias("email")]
public interface IEmailGrain : IGrainWithStringKey
{
    /// <summary>
    /// Claims the email for a new user and registers that user. Throws <see cref="Errors.EmailTakenException"/>
    /// when a live user holds it. With an idempotency key seen before, returns the same user (Replayed).
    /// </summary>
    Task<CommandResult<UserProfile>> RegisterAsync(Registration registration, IdempotencyKey? idempotency, RequestOrigin request);

    /// <summary>The user id the email is claimed for, or null. The user may be erased or not yet registered: ask it.</summary>
    [ReadOnly]
    Task<string?> GetClaimantAsync();

    /// <summary>Frees the email after its user was erased; does nothing if the claim names another user.</summary>
    Task ReleaseAsync(string userId, RequestOrigin request);
}

/// <summary>
/// A registration as the gateway sends it: the password already hashed, the role decided, and the new user's id
/// drawn at random by the caller, so that a retry of the same call (after a lost answer, or a command decided again
/// after a storage conflict) recognizes its own claim instead of treating it as someone else's.
/// </summary>
[GenerateSerializer, Immutable, Alias("registration")]
public sealed record Registration(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Email,
    [property: Id(2)] string PasswordHash,
    [property: Id(3)] string? DisplayName,
    [property: Id(4)] string Role);
