using Orleans.Runtime;
using UserData.Grains.Common;

namespace UserData.Grains.Identities;

/// <summary>
/// The link is never changed once made: an erased user's external account keeps naming the erased id, so its
/// tokens are refused instead of silently creating a new account. Writes are ETag-checked and decided again on the
/// stored link after a conflict, so concurrent first sign-ins on two activations still agree on one user id.
/// </summary>
public sealed class ExternalIdentityGrain(
    [PersistentState("link", ProviderNames.Claims)] IPersistentState<ExternalIdentityClaim> link) : Grain, IExternalIdentityGrain
{
    public Task<ExternalIdentityLink> LinkAsync(string candidateUserId, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Guid.TryParse(candidateUserId, out _))
        {
            throw new ArgumentException("A linked user id must be a GUID.", nameof(candidateUserId));
        }

        return link.RunAsync(async () =>
        {
            if (link.State.UserId is null)
            {
                link.State = new ExternalIdentityClaim { UserId = candidateUserId };
                await link.WriteStateAsync();
            }

            return new ExternalIdentityLink(link.State.UserId!, link.State.Registered);
        });
    }

    public Task ConfirmAsync(string userId, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return link.RunAsync(async () =>
        {
            if (link.State.UserId == userId && !link.State.Registered)
            {
                link.State.Registered = true;
                await link.WriteStateAsync();
            }

            return true;
        });
    }
}
