using Microsoft.AspNetCore.Identity;
using Orleans;
using UserData.Gateway.Api;
using UserData.Gateway.Http;
using UserData.Gateway.Logging;
using UserData.Gateway.RateLimiting;
using UserData.Grains.Common;
using UserData.Grains.Emails;
using UserData.Grains.Users;
using UserData.Grains.Validation;

namespace UserData.Gateway.Auth;

/// <summary>
/// The email and password check behind <c>POST /api/v1/auth/login</c> and the dashboard's sign-in form: the login rate
/// limit per client address and email, the email's claimant, and one hash verification whether the email is known or
/// not (the decoy), so timing tells nothing. A correct sign-in then applies <c>Bootstrap__AdminEmails</c> (<see cref="AdminBootstrap"/>).
/// </summary>
public sealed class PasswordLogin(
    IGrainFactory grains, IPasswordHasher<Account> hasher, DecoyPassword decoy, LoginRateLimiter limiter, EmailKeys emailKeys, AdminBootstrap adminBootstrap,
    ILogger<Account> logger)
{
    /// <summary>
    /// The account's credentials, with the role it signs in with, when <paramref name="password"/> is its password;
    /// otherwise throws <see cref="RateLimitedException"/> (429) or an <see cref="ApiException"/> 401 <c>INVALID_CREDENTIALS</c>.
    /// </summary>
    public async Task<UserCredentials> VerifyAsync(HttpContext context, string email, string password)
    {
        ArgumentNullException.ThrowIfNull(context);
        var normalized = ValidationRules.NormalizeEmail(email);
        if (limiter.TryAcquire(RateLimitingSetup.ClientAddress(context), normalized) is { } retryAfter)
        {
            throw new RateLimitedException(retryAfter);
        }

        var credentials = ValidationRules.IsValidEmail(normalized) && await grains.GetGrain<IEmailGrain>(emailKeys.GrainKey(normalized)).GetClaimantAsync() is { } userId
            ? await grains.GetGrain<IUserGrain>(userId).GetCredentialsAsync()
            : null;

        var verified = hasher.VerifyHashedPassword(Account.Instance, credentials?.PasswordHash ?? decoy.Hash, password);
        if (credentials is null || credentials.Email != normalized || verified == PasswordVerificationResult.Failed)
        {
            GatewayLog.LoginFailed(logger);
            throw new ApiException(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidCredentials, "Invalid email or password");
        }

        return credentials with { Role = await adminBootstrap.PasswordSignInAsync(credentials, new RequestOrigin(context.TraceIdentifier)) };
    }
}
