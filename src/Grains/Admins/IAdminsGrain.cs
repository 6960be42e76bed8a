using UserData.Grains.Common;
using UserData.Grains.Users;

namespace UserData.Grains.Admins;

/// <summary>
/// The cluster-wide view of who is admin, so that no role change removes the last one. One grain (key 0, see
/// <see cref="AdminsGrainExtensions.GetAdminsGrain"/>): every role change passes through it, one at a time.
/// </summary>
[Alias("admins")]
public interface IAdminsGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Counts <paramref name="userId"/> as an admin from now on: called before a registration gives the admin role, and
    /// when an admin signs in (which also counts admins from before this grain, or one whose demotion died half-way).
    /// </summary>
    Task EnrollAsync(string userId);

    /// <summary>
    /// Sets the user's role as <paramref name="changedBy"/> decided: an admin's user id (who must still be admin) or
    /// <see cref="Roles.BootstrapActor"/>. Throws <see cref="Errors.NotFoundException"/> for a user that is not registered,
    /// <see cref="Errors.ForbiddenException"/> when the acting user is no longer admin, <see cref="Errors.LastAdminException"/>
    /// when no other admin would remain, <see cref="Errors.PreconditionFailedException"/> when <paramref name="ifMatch"/>
    /// is not the profile's version. Answers the user's profile.
    /// </summary>
    Task<UserProfile> ChangeRoleAsync(string userId, string role, string changedBy, long? ifMatch, RequestOrigin request);
}

public static class AdminsGrainExtensions
{
    public static IAdminsGrain GetAdminsGrain(this IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IAdminsGrain>(0);
    }
}
