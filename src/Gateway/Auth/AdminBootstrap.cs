using Microsoft.Extensions.Options;
using Orleans;
using UserData.Gateway.Api;
using UserData.Gateway.Logging;
using UserData.Gateway.Options;
using UserData.Grains.Admins;
using UserData.Grains.Common;
using UserData.Grains.Users;

namespace UserData.Gateway.Auth;

/// <summary>
/// <c>Bootstrap__AdminEmails</c>: a listed email is admin from registration on, and an existing account whose email is
/// listed becomes admin when it signs in (audited as <c>role.changed</c> by <see cref="Roles.BootstrapActor"/>). Every
/// change goes through the admins grain, which keeps the cluster-wide set of admins.
/// </summary>
public sealed class AdminBootstrap(IGrainFactory grains, IOptions<BootstrapOptions> bootstrap, ILogger<Account> logger)
{
    /// <summary>The role a new account gets; an admin is counted by the admins grain before its user grain exists.</summary>
    public async Task<string> RoleForRegistrationAsync(string userId, string normalizedEmail)
    {
        if (!bootstrap.Value.IsAdmin(normalizedEmail))
        {
            return Roles.User;
        }

        await grains.GetAdminsGrain().EnrollAsync(userId);
        return Roles.Admin;
    }

    /// <summary>
    /// The role a password sign-in (the API's login or the dashboard's form) goes on with. An admin signing in is enrolled
    /// with the admins grain, which so counts admins from before it existed, or one whose demotion died half-way.
    /// </summary>
    public async Task<string> PasswordSignInAsync(UserCredentials credentials, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (credentials.Role == Roles.Admin)
        {
            await grains.GetAdminsGrain().EnrollAsync(credentials.UserId);
            return Roles.Admin;
        }

        return await PromoteIfListedAsync(credentials.UserId, credentials.Email, credentials.Role, request);
    }

    /// <summary>Admin when the email is listed (promoting the account once), otherwise <paramref name="role"/>.</summary>
    public async Task<string> PromoteIfListedAsync(string userId, string normalizedEmail, string role, RequestOrigin request)
    {
        if (role == Roles.Admin || !bootstrap.Value.IsAdmin(normalizedEmail))
        {
            return role;
        }

        var profile = await grains.GetAdminsGrain().ChangeRoleAsync(userId, Roles.Admin, Roles.BootstrapActor, null, request);
        GatewayLog.RoleChanged(logger, userId, profile.Role, Roles.BootstrapActor);
        return profile.Role;
    }
}
