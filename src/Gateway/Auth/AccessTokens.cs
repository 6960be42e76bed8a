using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserData.Gateway.Options;
using UserData.Grains.Users;

namespace UserData.Gateway.Auth;

/// <summary>Issues the HS256 access tokens and describes how they are validated.</summary>
public sealed class AccessTokens(IOptions<AuthOptions> options)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials = new(new SymmetricSecurityKey(options.Value.SigningKeyBytes), SecurityAlgorithms.HmacSha256);

    public int LifetimeSeconds => (int)options.Value.AccessTokenLifetime.TotalSeconds;

    /// <summary>The access token of a session: made only from what the session holds, so the same session gives the same token.</summary>
    public string Issue(IssuedSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var user = session.Profile;
        var now = session.IssuedAt.UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + options.Value.AccessTokenLifetime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Id,
                [JwtRegisteredClaimNames.Email] = user.Email,
                ["role"] = user.Role,
                [JwtRegisteredClaimNames.Jti] = session.AccessTokenId,
            },
            SigningCredentials = _credentials,
        });
    }

    /// <summary>Only our issuer, audience and key, HS256 only, signed, unexpired (no clock skew allowance).</summary>
    public static TokenValidationParameters ValidationParameters(AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            IssuerSigningKey = new SymmetricSecurityKey(options.SigningKeyBytes),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.Zero,
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = "role",
        };
    }
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>The token subject: the only user id a /me route ever reaches.</summary>
    public static string UserId(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.FindFirstValue(JwtRegisteredClaimNames.Sub) is { Length: > 0 } id && Guid.TryParse(id, out _)
            ? id
            : throw Http.ApiException.Unauthenticated("The access token names no user");
    }
}
