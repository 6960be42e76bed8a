using Orleans;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserData.Gateway.Api;
using UserData.Gateway.Logging;
using UserData.Gateway.Options;
using UserData.Grains.Common;
using UserData.Grains.Emails;
using UserData.Grains.Identities;
using UserData.Grains.Users;
using UserData.Grains.Validation;

namespace UserData.Gateway.Auth;

/// <summary>
/// Tokens of the external OIDC issuer (<c>Auth:Authority</c>): which scheme validates a bearer token, and how a valid
/// external token becomes one of our users. After that the request carries our user id as <c>sub</c> and our role,
/// so every route treats it like one of our own tokens.
/// </summary>
public static class ExternalTokens
{
    /// <summary>Validates the external issuer's tokens with its discovery document and keys.</summary>
    public const string Scheme = "External";

    /// <summary>The default scheme when an authority is set: forwards to ours or the external one.</summary>
    public const string SelectorScheme = "BearerOrExternal";

    /// <summary>
    /// The external scheme for a token whose (not yet validated) <c>iss</c> is the authority, ours otherwise. Only a
    /// routing decision: the chosen scheme validates everything, issuer included.
    /// </summary>
    public static string SelectScheme(HttpContext context, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var issuer = new JsonWebToken(header[prefix.Length..].Trim()).Issuer;
                if (string.Equals(issuer, options.Authority, StringComparison.Ordinal))
                {
                    return Scheme;
                }
            }
            catch (ArgumentException)
            {
                // Not a JWT: ours refuses it with the usual 401.
            }
        }

        return JwtBearerDefaults.AuthenticationScheme;
    }

    /// <summary>Only the authority's issuer and keys (from its metadata), the configured audience, signed and unexpired.</summary>
    public static void Configure(JwtBearerOptions jwt, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        ArgumentNullException.ThrowIfNull(options);
        var authority = new Uri(options.Authority!);
        jwt.Authority = options.Authority;
        jwt.Audience = options.AuthorityAudience;
        // Keys fetched over plain http could be swapped on the way; only a loopback issuer (tests) may use it.
        jwt.RequireHttpsMetadata = !(authority.Scheme == Uri.UriSchemeHttp && authority.IsLoopback);
        jwt.MapInboundClaims = false;
        jwt.SaveToken = false;
        jwt.IncludeErrorDetails = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = options.Authority,
            ValidAudience = options.AuthorityAudience,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = "role",
        };
        jwt.Events = new JwtBearerEvents { OnTokenValidated = SignInAsync };
    }

    /// <summary>The grain key of an external account: a keyed hash, so storage never holds the issuer's subject.</summary>
    public static string IdentityKey(AuthOptions options, string issuer, string subject)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Convert.ToHexStringLower(HMACSHA256.HashData(options.EmailKeyBytes, Encoding.UTF8.GetBytes(issuer + "\n" + subject)));
    }

    /// <summary>
    /// Finds (or on first sight creates) the user the external account signs in as. A new user needs the token's
    /// email with <c>email_verified</c> true, and gets it only if no other account holds it (409 EMAIL_TAKEN otherwise:
    /// linking to an account by an email the issuer vouches for would hand that account to whoever controls the
    /// issuer's record). The user has no password, so password login never works for it. An erased user stays erased:
    /// its external token gets 401, it does not create a new account. <c>Bootstrap__AdminEmails</c> applies as to a
    /// password sign-in (<see cref="AdminBootstrap"/>), checked on every request since every request is a sign-in here.
    /// </summary>
    private static async Task SignInAsync(TokenValidatedContext context)
    {
        var services = context.HttpContext.RequestServices;
        var options = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var grains = services.GetRequiredService<IGrainFactory>();
        var principal = context.Principal!;
        if (principal.FindFirstValue(JwtRegisteredClaimNames.Sub) is not { Length: > 0 } subject)
        {
            context.Fail("The external token names no subject");
            return;
        }

        var request = new RequestOrigin(context.HttpContext.TraceIdentifier);
        var adminBootstrap = services.GetRequiredService<AdminBootstrap>();
        var identity = grains.GetGrain<IExternalIdentityGrain>(IdentityKey(options, options.Authority!, subject));
        var link = await identity.LinkAsync(Guid.NewGuid().ToString(), request);
        UserProfile profile;
        if (link.Registered)
        {
            // Throws UserNotFoundException (401) for an erased user.
            profile = await grains.GetGrain<IUserGrain>(link.UserId).GetProfileAsync();
        }
        else
        {
            if (VerifiedEmail(principal) is not { } email)
            {
                context.Fail("The external token has no verified email");
                return;
            }

            var emailKey = services.GetRequiredService<EmailKeys>().GrainKey(email);
            var role = await adminBootstrap.RoleForRegistrationAsync(link.UserId, email);
            profile = (await grains.GetGrain<IEmailGrain>(emailKey)
                .RegisterAsync(new Registration(link.UserId, email, string.Empty, null, role), null, request)).Value;
            await identity.ConfirmAsync(link.UserId, request);
            GatewayLog.UserRegistered(services.GetRequiredService<ILogger<Account>>(), link.UserId);
        }

        var signedInRole = await adminBootstrap.PromoteIfListedAsync(profile.Id, profile.Email, profile.Role, request);
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, profile.Id),
                new Claim(JwtRegisteredClaimNames.Email, profile.Email),
                new Claim("role", signedInRole),
            ],
            Scheme,
            JwtRegisteredClaimNames.Sub,
            "role"));
    }

    private static string? VerifiedEmail(ClaimsPrincipal principal) =>
        principal.FindFirstValue(JwtRegisteredClaimNames.Email) is { } email
        && string.Equals(principal.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase)
        && ValidationRules.IsValidEmail(ValidationRules.NormalizeEmail(email))
            ? ValidationRules.NormalizeEmail(email)
            : null;
}
