using UserData.Grains.Common;

namespace UserData.Grains.Identities;

/// <summary>
/// One account at an external OIDC issuer, keyed by a keyed hash of <c>issuer + "\n" + sub</c> (the gateway makes the
/// key, so storage holds neither): names the user of ours that the account signs in as.
/// </summary>
[Alias("external-identity")]
public interface IExternalIdentityGrain : IGrainWithStringKey
{
    /// <summary>
    /// Links the account to <paramref name="candidateUserId"/> unless it is linked already; returns the link in force,
    /// so concurrent first sign-ins all agree on one user id.
    /// </summary>
    Task<ExternalIdentityLink> LinkAsync(string candidateUserId, RequestOrigin request);

    /// <summary>Records that the linked user has been registered; from then on a missing user means an erased one.</summary>
    Task ConfirmAsync(string userId, RequestOrigin request);
}

/// <param name="UserId">Our user id the account signs in as.</param>
/// <param name="Registered">True once that user was registered: its absence then means it was erased.</param>
[GenerateSerializer, Immutable, Alias("external-identity-link")]
public sealed record ExternalIdentityLink([property: Id(0)] string UserId, [property: Id(1)] bool Registered);
