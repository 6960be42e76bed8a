using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using UserData.Gateway.OpenApi;
using UserData.Gateway.Options;
using UserData.Grains.Common;
using UserData.Grains.Validation;

namespace UserData.Gateway.Http;

/// <summary>
/// Reads <c>Idempotency-Key</c> and fingerprints the request with a keyed hash: the grain compares
/// fingerprints, and a body that holds a password is never stored in a guessable form.
/// </summary>
public sealed class IdempotencyKeys(IOptions<AuthOptions> auth)
{
    public const string Header = "Idempotency-Key";
    public const int MaxKeyLength = 128;

    private const string Meaning =
        "Makes a retry safe: the same key with the same body within 24 hours answers the first response again (same status " +
        "and body); with another body, 422 `IDEMPOTENCY_KEY_REUSED`.";

    public static ApiParameter Parameter { get; } = ApiParameter.Header(Header, Meaning) with { MaxLength = MaxKeyLength };

    private readonly byte[] _key = HMACSHA256.HashData(auth.Value.SigningKeyBytes, "idempotency-fingerprint"u8);

    public IdempotencyKey? Read(HttpContext context, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        var values = context.Request.Headers[Header];
        if (values.Count == 0)
        {
            return null;
        }

        var key = values.Count == 1 ? values[0] : null;
        if (key is null || key.Length is 0 or > MaxKeyLength)
        {
            throw ApiException.Validation(Header, Issues.InvalidFormat, $"{Header} must be 1-{MaxKeyLength} characters");
        }

        using var hmac = new HMACSHA256(_key);
        var prefix = Encoding.UTF8.GetBytes($"{context.Request.Method} {context.Request.Path}\n");
        hmac.TransformBlock(prefix, 0, prefix.Length, null, 0);
        hmac.TransformFinalBlock(body, 0, body.Length);
        return new IdempotencyKey(key, Convert.ToHexStringLower(hmac.Hash!));
    }
}
