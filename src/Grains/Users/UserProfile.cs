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

/// <summary>A new refresh token (given to the client once, stored only as a hash) and the profile its access token is made from.</summary>
public sealed record IssuedSession(UserProfile Profile, string RefreshToken, DateTimeOffset RefreshExpiresAt);

/// <summary>Registration data, with the password already hashed by the gateway.</summary>
public sealed record NewUser(string UserId, string Email, string PasswordHash, string? DisplayName, string Role);
