using System.Text.Json;

namespace UserData.Grains.Users;

public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";

    /// <summary>Who changed a role when <c>Bootstrap__AdminEmails</c> made an account admin at sign-in (not a user id).</summary>
    public const string BootstrapActor = "bootstrap";

    public static bool IsRole(string? role) => role is User or Admin;
}

/// <summary>The profile as the API shows it (GET /me).</summary>
[GenerateSerializer, Immutable, Alias("user-profile")]
public sealed record UserProfile(
    [property: Id(0)] string Id,
    [property: Id(1)] string Email,
    [property: Id(2)] string? DisplayName,
    [property: Id(3)] string Role,
    [property: Id(4)] JsonElement Attributes,
    [property: Id(5)] long Version,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset UpdatedAt);

/// <summary>What login needs to check a password: never leaves the server.</summary>
[GenerateSerializer, Immutable, Alias("user-credentials")]
public sealed record UserCredentials([property: Id(0)] string UserId, [property: Id(1)] string Email, [property: Id(2)] string Role, [property: Id(3)] string PasswordHash);

/// <summary>
/// The tokens a session start or rotation hands out, decided by the gateway: the family, the hash of the new refresh
/// token (the gateway derives the token itself, so the grain never holds it) and the access token's id.
/// </summary>
[GenerateSerializer, Immutable, Alias("session-grant")]
public sealed record SessionGrant(
    [property: Id(0)] string FamilyId,
    [property: Id(1)] string RefreshTokenHash,
    [property: Id(2)] string AccessTokenId,
    [property: Id(3)] TimeSpan RefreshLifetime);

/// <summary>
/// A session as issued: the profile the access token is made from, and everything else needed to make the same
/// tokens again (family, access token id, issue time), but no secret. Remembered as the response of an idempotent call.
/// </summary>
[GenerateSerializer, Immutable, Alias("issued-session")]
public sealed record IssuedSession(
    [property: Id(0)] UserProfile Profile,
    [property: Id(1)] string FamilyId,
    [property: Id(2)] string AccessTokenId,
    [property: Id(3)] DateTimeOffset IssuedAt,
    [property: Id(4)] DateTimeOffset RefreshExpiresAt);

/// <summary>Registration data, with the password already hashed by the gateway.</summary>
[GenerateSerializer, Immutable, Alias("new-user")]
public sealed record NewUser(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Email,
    [property: Id(2)] string PasswordHash,
    [property: Id(3)] string? DisplayName,
    [property: Id(4)] string Role);
