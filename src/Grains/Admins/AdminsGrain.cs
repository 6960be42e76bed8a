using Orleans.Runtime;
using UserData.Grains.Common;
using UserData.Grains.Errors;
using UserData.Grains.Users;

namespace UserData.Grains.Admins;

/// <summary>
/// Keeps "there is always an admin" across many user grains with no transaction, in the manner of the email claim
/// (<see cref="Emails.EmailGrain"/>): the stored set says whom to ask, and each user grain is the truth about its own role.
/// <list type="bullet">
/// <item>Promotion: the id is added to the stored set first, then the user grain becomes admin. If the process dies in
/// between, the set names a user who is not admin: harmless, since a demotion counts only an admin whose user grain says
/// so (and drops the others from the set).</item>
/// <item>Demotion: another admin than the target must be confirmed by its user grain (the acting admin, whose role is
/// checked anyway, usually is one); then the set without the target is stored, then the user grain becomes a user. If the
/// process dies in between, the target stays admin but is missing from the set: the set can then only count fewer admins
/// than there are, which can make a later demotion refuse but never remove the last admin; a retry of the request
/// completes the demotion, and the admin's next sign-in enrolls it again.</item>
/// </list>
/// Every demotion writes the set, ETag-checked: a second activation of this grain (a membership race) deciding a demotion
/// at the same moment fails its write, reads the set the first one stored (without that target) and decides again
/// (<see cref="PersistentStateCommands.RunAsync{TState, T}"/>); so two admins demoting each other at once leave exactly
/// one admin. This grain calls user grains and never the reverse, so the non-reentrant turns cannot deadlock. An erased
/// admin is not removed here: the next check finds its user grain gone and drops it.
/// </summary>
public sealed class AdminsGrain([PersistentState("admins", ProviderNames.Claims)] IPersistentState<AdminSet> admins) : Grain, IAdminsGrain
{
    private HashSet<string> Admins => admins.State.UserIds;

    public Task EnrollAsync(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return admins.RunAsync(async () =>
        {
            if (Admins.Add(userId))
            {
                await admins.WriteStateAsync();
            }

            return true;
        });
    }

    public Task<UserProfile> ChangeRoleAsync(string userId, string role, string changedBy, long? ifMatch, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(changedBy);
        ArgumentNullException.ThrowIfNull(request);
        if (!Roles.IsRole(role))
        {
            throw new ArgumentException($"'{role}' is not a role.", nameof(role));
        }

        return admins.RunAsync(async () =>
        {
            // The acting admin's role now, in this turn, not as its token said it up to 15 minutes ago.
            if (changedBy != Roles.BootstrapActor && !await IsAdminAsync(changedBy))
            {
                throw new ForbiddenException();
            }

            var user = GrainFactory.GetGrain<IUserGrain>(userId);
            var profile = await ProfileAsync(user);
            if (ifMatch is { } expected && expected != profile.Version)
            {
                throw new PreconditionFailedException($"The resource is at version {profile.Version}, not {expected}");
            }

            if (role == Roles.Admin)
            {
                if (Admins.Add(userId))
                {
                    await admins.WriteStateAsync();
                }
            }
            else if (profile.Role == Roles.Admin)
            {
                await KeepAnotherAdminAsync(userId, changedBy);
                Admins.Remove(userId);
                await admins.WriteStateAsync();
            }

            return await user.ChangeRoleAsync(role, changedBy, ifMatch, request);
        });
    }

    /// <summary>Finds an admin other than <paramref name="target"/> that its user grain confirms; throws when there is none.</summary>
    private async Task KeepAnotherAdminAsync(string target, string actor)
    {
        if (actor != target && actor != Roles.BootstrapActor)
        {
            // Just confirmed admin; counted from now on (the demotion writes the set).
            Admins.Add(actor);
            return;
        }

        foreach (var candidate in Admins.Where(id => id != target).ToList())
        {
            if (await IsAdminAsync(candidate))
            {
                return;
            }

            Admins.Remove(candidate);
        }

        throw new LastAdminException();
    }

    private async Task<bool> IsAdminAsync(string userId) =>
        (await GrainFactory.GetGrain<IUserGrain>(userId).GetCredentialsAsync())?.Role == Roles.Admin;

    private static async Task<UserProfile> ProfileAsync(IUserGrain user)
    {
        try
        {
            return await user.GetProfileAsync();
        }
        catch (UserNotFoundException)
        {
            throw new NotFoundException("User not found");
        }
    }
}
