using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using UserData.Gateway.Api;
using UserData.Gateway.Options;
using UserData.Grains.Users;

namespace UserData.Gateway.Auth;

/// <summary>
/// Makes the token pairs of sessions so that the same session always gives the same tokens: a replayed login or
/// refresh answers with the tokens of its first response while storage holds nothing usable. A family's first
/// refresh secret is a keyed hash of the user and family ids, each next one a keyed hash of the token it replaces;
/// the grain keeps only the SHA-256 of the current one. The access token is HS256 over stored claims (jti, iat).
/// <para>
/// A refresh token ends in an integrity tag, so that refresh and logout (which have no access token) refuse a token
/// that is not ours before any grain is called: a forged token activates nothing and cannot probe which user ids
/// exist. The tag's key derives from <c>Auth:EmailKey</c>, not the signing key, so refresh tokens still survive a
/// rotation of the signing key.
/// </para>
/// </summary>
public sealed class SessionTokens(IOptions<AuthOptions> auth, AccessTokens accessTokens)
{
    private const int TagBytes = 16;

    private readonly byte[] _key = HMACSHA256.HashData(auth.Value.SigningKeyBytes, "refresh-token-secret"u8);
    private readonly byte[] _integrityKey = HMACSHA256.HashData(auth.Value.EmailKeyBytes, "refresh-token-integrity"u8);

    /// <summary>A new family: the hash of its first token, and a fresh access token id.</summary>
    public SessionGrant Start(string userId)
    {
        var familyId = RefreshTokens.NewFamilyId();
        return Grant(familyId, FirstSecret(userId, familyId));
    }

    /// <summary>The response for a started session (a replayed one too: its family is the first call's).</summary>
    public AuthResponse Started(IssuedSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var userId = session.Profile.Id;
        return Respond(session, Seal(RefreshTokens.Format(userId, session.FamilyId, FirstSecret(userId, session.FamilyId))));
    }

    /// <summary>The rotation of <paramref name="presented"/>: its successor is the same for every presentation of it.</summary>
    public SessionGrant Rotate(string familyId, string presented) => Grant(familyId, NextSecret(presented));

    public AuthResponse Rotated(IssuedSession session, string presented)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Respond(session, Seal(RefreshTokens.Format(session.Profile.Id, session.FamilyId, NextSecret(presented))));
    }

    /// <summary>The parts of a refresh token that carries our integrity tag; false for any other text, in constant time per length.</summary>
    public bool TryOpen(string? presented, out string userId, out string familyId, out string secret)
    {
        userId = familyId = secret = string.Empty;
        var dot = presented?.LastIndexOf('.') ?? -1;
        if (dot <= 0)
        {
            return false;
        }

        var token = presented![..dot];
        var tag = Encoding.ASCII.GetBytes(presented[(dot + 1)..]);
        return CryptographicOperations.FixedTimeEquals(tag, Encoding.ASCII.GetBytes(Tag(token)))
            && RefreshTokens.TryParse(token, out userId, out familyId, out secret);
    }

    private string Seal(string token) => $"{token}.{Tag(token)}";

    private string Tag(string token) =>
        System.Buffers.Text.Base64Url.EncodeToString(HMACSHA256.HashData(_integrityKey, Encoding.UTF8.GetBytes(token)).AsSpan(0, TagBytes));

    private AuthResponse Respond(IssuedSession session, string refreshToken) =>
        new(session.Profile, accessTokens.Issue(session), "Bearer", accessTokens.LifetimeSeconds, refreshToken);

    private SessionGrant Grant(string familyId, string secret) =>
        new(familyId, RefreshTokens.Hash(secret), Guid.NewGuid().ToString("N"), auth.Value.RefreshTokenLifetime);

    private string FirstSecret(string userId, string familyId) => Secret($"start\n{userId}.{familyId}");

    private string NextSecret(string presented) => Secret($"rotate\n{presented}");

    private string Secret(string input) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(input))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
