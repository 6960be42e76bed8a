using System.Security.Cryptography;
using System.Text;

namespace UserData.Grains.Users;

/// <summary>
/// Refresh tokens are <c>{user id}.{family id}.{secret}</c>: the user id routes the call to the user's grain
/// (refresh has no access token), the family id finds the chain, and only a hash of the secret is stored.
/// The gateway makes the secrets (keyed hashes, so that it can make the same token again for a replay).
/// </summary>
public static class RefreshTokens
{
    public static string NewFamilyId() => Guid.NewGuid().ToString("N");

    public static string Format(string userId, string familyId, string secret) => $"{userId}.{familyId}.{secret}";

    public static bool TryParse(string? token, out string userId, out string familyId, out string secret)
    {
        userId = familyId = secret = string.Empty;
        var parts = token?.Split('.');
        if (parts is not { Length: 3 } || parts.Any(string.IsNullOrEmpty) || !Guid.TryParse(parts[0], out _))
        {
            return false;
        }

        (userId, familyId, secret) = (parts[0], parts[1], parts[2]);
        return true;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares hashes in constant time.</summary>
    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));
}
