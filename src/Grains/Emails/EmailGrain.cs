using Orleans.Runtime;
using UserData.Grains.Common;
using UserData.Grains.Errors;
using UserData.Grains.Users;

namespace UserData.Grains.Emails;

/// <summary>
/// Makes an email belong to at most one live user, across two grains and with no transaction:
/// <list type="number">
/// <item>claim: the stored claim names a fresh user id (durable before anything else);</item>
/// <item>register: the user grain with that id records the user and this email;</item>
/// <item>confirm: the claim is marked confirmed.</item>
/// </list>
/// The user grain is the truth about whether a user exists; the claim only says who to ask, and the asking is
/// <see cref="IUserGrain.SettleClaimAsync"/>: a registered user answers yes, any other id is killed by a journaled
/// write (so it can never register later, and an activation that missed a registration made on another silo is
/// fenced and decides again instead of being believed). If the process dies after 1, the next registration settles the
/// named id (dead) and proceeds; if it dies after 2, the named user exists, so the next registration confirms the claim
/// and answers EMAIL_TAKEN (login already works meanwhile, since it follows the claim to the user). Erase is the
/// reverse: the user grain forgets the user first, then the email is released; if the process dies in between, the
/// claim names an erased user and the next registration releases it. Login treats a claim whose user is not registered
/// as an unknown email. The email grain calls the user grain but never the reverse, so the non-reentrant turns cannot
/// deadlock. Every write is ETag-checked: a second activation's stale write fails, and the command runs again on the
/// stored claim (<see cref="PersistentStateCommands.RunAsync{TState, T}"/>).
/// </summary>
public sealed class EmailGrain(
    [PersistentState("claim", ProviderNames.Claims)] IPersistentState<EmailClaim> claim,
    TimeProvider time) : Grain, IEmailGrain
{
    private EmailClaim Claim => claim.State;

    public Task<CommandResult<UserProfile>> RegisterAsync(Registration registration, IdempotencyKey? idempotency, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(request);
        if (!Guid.TryParse(registration.UserId, out _))
        {
            throw new ArgumentException("A registration's user id must be a GUID.", nameof(registration));
        }

        return claim.RunAsync(() => RegisterOnceAsync(registration, idempotency, request));
    }

    public Task<string?> GetClaimantAsync() => Task.FromResult(Claim.UserId);

    public Task ReleaseAsync(string userId, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return claim.RunAsync(async () =>
        {
            if (Claim.UserId == userId)
            {
                await ReleaseClaimAsync();
            }

            return true;
        });
    }

    private async Task<CommandResult<UserProfile>> RegisterOnceAsync(Registration registration, IdempotencyKey? idempotency, RequestOrigin request)
    {
        var userId = registration.UserId;
        if (Claim.UserId is { } claimant && claimant != userId)
        {
            if (await GrainFactory.GetGrain<IUserGrain>(claimant).SettleClaimAsync(request))
            {
                await ConfirmAsync(claimant);
                return await ReplayOrRefuseAsync(claimant, idempotency, Clock.Now(time));
            }

            // The claimant was erased or never finished registering: the email is free.
            await ReleaseClaimAsync();
        }

        if (Claim.UserId != userId)
        {
            claim.State = new EmailClaim { UserId = userId, ClaimedAt = Clock.Now(time), IdempotencyKey = idempotency?.Key, Fingerprint = idempotency?.Fingerprint };
            await claim.WriteStateAsync();
        }

        UserProfile profile;
        try
        {
            profile = await GrainFactory.GetGrain<IUserGrain>(userId)
                .RegisterAsync(new NewUser(userId, registration.Email, registration.PasswordHash, registration.DisplayName, registration.Role), request);
        }
        catch (UserNotFoundException)
        {
            // Another activation of this email grain (a silo that saw this claim unfinished) settled it first.
            throw new EmailTakenException();
        }

        await ConfirmAsync(userId);
        return new CommandResult<UserProfile>(profile, Created: true);
    }

    private async Task ConfirmAsync(string userId)
    {
        if (Claim.UserId == userId && !Claim.Confirmed)
        {
            Claim.Confirmed = true;
            await claim.WriteStateAsync();
        }
    }

    private async Task ReleaseClaimAsync()
    {
        claim.State = new EmailClaim();
        await claim.WriteStateAsync();
    }

    /// <summary>The email is taken; that is only fine for a retry of the registration that took it, within 24 hours.</summary>
    private async Task<CommandResult<UserProfile>> ReplayOrRefuseAsync(string claimant, IdempotencyKey? idempotency, DateTimeOffset now)
    {
        if (idempotency is not null && idempotency.Key == Claim.IdempotencyKey && Claim.ClaimedAt > now - UserState.IdempotencyWindow)
        {
            if (idempotency.Fingerprint != Claim.Fingerprint)
            {
                throw new IdempotencyKeyReusedException();
            }

            var profile = await GrainFactory.GetGrain<IUserGrain>(claimant).GetProfileAsync();
            return new CommandResult<UserProfile>(profile, Created: true, Replayed: true);
        }

        throw new EmailTakenException();
    }
}
