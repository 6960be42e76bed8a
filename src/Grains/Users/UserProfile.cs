using System.Text.Json;

namespace UserData.Grains.Users;

public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";
}

/// <summary>The profile as the API shows it (GET /me).</summary>
public sealed record UserProfile(
    string Id,
    string Email,
    string? DisplayName,
    string Role,
    JsonElement Attributes,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>What login needs to check a password: never leaves the server.</summary>
public sealed record UserCredentials(string UserId, string Email, string Role, string PasswordHash);

/// <summary>
/// The tokens a session start or rotation hands out, decided by the gateway: the family, the hash of the new refresh
/// token (the gateway derives the token itself, so the grain never holds it) and the access token's id.
/// </summary>
public sealed record SessionGrant(string FamilyId, string RefreshTokenHash, string AccessTokenId, TimeSpan RefreshLifetime);

/// <summary>
/// A session as issued: the profile the access token is made from, and everything else needed to make the same
/// tokens again (family, access token id, issue time), but no secret. Remembered as the response of an idempotent call.
/// </summary>
public sealed record IssuedSession(UserProfile Profile, string FamilyId, string AccessTokenId, DateTimeOffset IssuedAt, DateTimeOffset RefreshExpiresAt);

/// <summary>Registration data, with the password already hashed by the gateway.</summary>
public sealed record NewUser(string UserId, string Email, string PasswordHash, string? DisplayName, string Role);
