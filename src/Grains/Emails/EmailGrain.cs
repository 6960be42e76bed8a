using UserData.Grains.Common;
using UserData.Grains.Errors;
using UserData.Grains.Users;
using UserData.Runtime.Journal;

namespace UserData.Grains.Emails;

/// <summary>
/// Makes an email belong to at most one live user, across two grains and with no transaction:
/// <list type="number">
/// <item>claim: <see cref="EmailClaimed"/> names a fresh user id (durable before anything else);</item>
/// <item>register: the user grain with that id records the user and this email;</item>
/// <item>confirm: <see cref="EmailConfirmed"/>.</item>
/// </list>
/// The user grain is the truth about whether a user exists; the claim only says who to ask, and the asking is
/// <see cref="IUserGrain.SettleClaimAsync"/>: a registered user answers yes, any other id is killed by a journaled
/// write (so it can never register later, and an activation that missed a registration made on another silo is
/// fenced instead of believed). If the process dies after 1, the next registration settles the named id (dead)
/// and proceeds; if it dies after 2, the named user exists, so the next registration confirms the claim and
/// answers EMAIL_TAKEN (login already works meanwhile, since it follows the claim to the user). Erase is the
/// reverse: the user grain forgets the user first, then the email is released; if the process dies in between,
/// the claim names an erased user and the next registration releases it. Login treats a claim whose user is
/// not registered as an unknown email. The email grain calls the user grain but never the reverse, so the
/// non-reentrant turns cannot deadlock.
/// </summary>
public sealed class EmailGrain(TimeProvider time) : JournaledGrain<EmailState, EmailEvent>, IEmailGrain
{
    public async Task<CommandResult<UserProfile>> RegisterAsync(Registration registration, IdempotencyKey? idempotency, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(request);
        if (!Guid.TryParse(registration.UserId, out _))
        {
            throw new ArgumentException("A registration's user id must be a GUID.", nameof(registration));
        }

        var now = Clock.Now(time);
        var userId = registration.UserId;
        if (State.UserId is { } claimant && claimant != userId)
        {
            if (await GrainFactory.GetGrain<IUserGrain>(claimant).SettleClaimAsync(request))
            {
                if (!State.Confirmed)
                {
                    await RaiseAsync(new EmailConfirmed(claimant), request, now);
                }

                return await ReplayOrRefuseAsync(claimant, idempotency, now);
            }

            await RaiseAsync(new EmailReleased(claimant, State.Confirmed ? "erased" : "incomplete"), request, now);
        }

        if (State.UserId != userId)
        {
            await RaiseAsync(new EmailClaimed(userId, idempotency?.Key, idempotency?.Fingerprint), request, now);
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

        if (!State.Confirmed)
        {
            await RaiseAsync(new EmailConfirmed(userId), request, now);
        }

        return new CommandResult<UserProfile>(profile, Created: true);
    }

    public Task<string?> GetClaimantAsync() => Task.FromResult(State.UserId);

    public async Task ReleaseAsync(string userId, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (State.UserId == userId)
        {
            await RaiseAsync(new EmailReleased(userId, "erased"), request, Clock.Now(time));
        }
    }

    /// <summary>The email is taken; that is only fine for a retry of the registration that took it, within 24 hours.</summary>
    private async Task<CommandResult<UserProfile>> ReplayOrRefuseAsync(string claimant, IdempotencyKey? idempotency, DateTimeOffset now)
    {
        if (idempotency is not null && idempotency.Key == State.IdempotencyKey && State.ClaimedAt > now - UserState.IdempotencyWindow)
        {
            if (idempotency.Fingerprint != State.Fingerprint)
            {
                throw new IdempotencyKeyReusedException();
            }

            var profile = await GrainFactory.GetGrain<IUserGrain>(claimant).GetProfileAsync();
            return new CommandResult<UserProfile>(profile, Created: true, Replayed: true);
        }

        throw new EmailTakenException();
    }

    private Task RaiseAsync(EmailEvent @event, RequestContext request, DateTimeOffset now) =>
        RaiseEventAsync(@event with { At = now, RequestId = request.RequestId });
}
