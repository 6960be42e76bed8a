using UserData.Grains.Common;
using UserData.Runtime.Journal;

namespace UserData.Grains.Identities;

/// <summary>
/// The link is never changed once made: an erased user's external account keeps naming the erased id, so its
/// tokens are refused instead of silently creating a new account.
/// </summary>
public sealed class ExternalIdentityGrain(TimeProvider time) : JournaledGrain<ExternalIdentityState, ExternalIdentityEvent>, IExternalIdentityGrain
{
    public async Task<ExternalIdentityLink> LinkAsync(string candidateUserId, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Guid.TryParse(candidateUserId, out _))
        {
            throw new ArgumentException("A linked user id must be a GUID.", nameof(candidateUserId));
        }

        if (State.UserId is null)
        {
            await RaiseAsync(new ExternalIdentityLinked(candidateUserId), request);
        }

        return new ExternalIdentityLink(State.UserId!, State.Registered);
    }

    public async Task ConfirmAsync(string userId, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (State.UserId == userId && !State.Registered)
        {
            await RaiseAsync(new ExternalIdentityConfirmed(userId), request);
        }
    }

    private Task RaiseAsync(ExternalIdentityEvent @event, RequestContext request) =>
        RaiseEventAsync(@event with { At = Clock.Now(time), RequestId = request.RequestId });
}
