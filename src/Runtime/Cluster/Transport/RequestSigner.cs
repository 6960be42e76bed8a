using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace UserData.Runtime.Cluster.Transport;

/// <summary>
/// HMAC-SHA256 with <c>Cluster:Secret</c> over <c>METHOD\npath\ntimestamp\nnonce\n</c> and the body: the silo port only
/// serves requests from processes that hold the secret, so it cannot be used to get around the gateway's JWT checks.
/// The random nonce, remembered by the receiver for as long as the timestamp is acceptable, makes each signed request
/// usable once. <c>Cluster:PreviousSecret</c>, when set, is accepted too, so the secret can be rotated by a rolling deploy.
/// </summary>
public sealed class RequestSigner
{
    public const string TimestampHeader = "X-UserData-Timestamp";
    public const string NonceHeader = "X-UserData-Nonce";
    public const string SignatureHeader = "X-UserData-Signature";

    private readonly byte[] _key;
    private readonly byte[]? _previousKey;
    private readonly TimeProvider _time;
    private readonly ReplayCache _seen;

    public RequestSigner(
        string secret, TimeSpan maxClockSkew, TimeProvider? time = null, string? previousSecret = null, int replayCacheCapacity = ReplayCache.DefaultCapacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _key = Encoding.UTF8.GetBytes(secret);
        _previousKey = string.IsNullOrEmpty(previousSecret) ? null : Encoding.UTF8.GetBytes(previousSecret);
        MaxClockSkew = maxClockSkew;
        _time = time ?? TimeProvider.System;
        _seen = new ReplayCache(replayCacheCapacity, maxClockSkew, _time);
    }

    public TimeSpan MaxClockSkew { get; }

    /// <summary>Nonces remembered now (for tests and the memory bound).</summary>
    internal int RememberedNonces => _seen.Count;

    /// <summary>The timestamp, nonce and signature headers' values for a request signed now.</summary>
    public (string Timestamp, string Nonce, string Signature) Sign(string method, string path, ReadOnlySpan<byte> body)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        var nonce = new Guid(random).ToString("N");
        return (timestamp, nonce, Convert.ToBase64String(Compute(_key, method, path, timestamp, nonce, body)));
    }

    /// <summary>The received request's signature headers checked, as <see cref="Verify(string, string, string?, string?, string?, ReadOnlySpan{byte})"/>.</summary>
    public string? Verify(HttpRequest request, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Verify(request.Method, request.Path, request.Headers[TimestampHeader], request.Headers[NonceHeader], request.Headers[SignatureHeader], body);
    }

    /// <summary>
    /// Why the request must be refused, or null when its signature is valid and recent and its nonce was not seen
    /// before (the nonce is then remembered, so the same request is refused next time).
    /// </summary>
    public string? Verify(string method, string path, string? timestamp, string? nonce, string? signature, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(nonce) || string.IsNullOrEmpty(signature))
        {
            return "missing signature";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return "malformed timestamp";
        }

        var age = _time.GetUtcNow().ToUnixTimeMilliseconds() - milliseconds;
        if (Math.Abs(age) > MaxClockSkew.TotalMilliseconds)
        {
            return "expired timestamp";
        }

        if (!Guid.TryParseExact(nonce, "N", out var nonceValue))
        {
            return "malformed nonce";
        }

        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(signature, given, out var length) || length != HMACSHA256.HashSizeInBytes)
        {
            return "malformed signature";
        }

        if (!CryptographicOperations.FixedTimeEquals(given, Compute(_key, method, path, timestamp, nonce, body))
            && (_previousKey is null || !CryptographicOperations.FixedTimeEquals(given, Compute(_previousKey, method, path, timestamp, nonce, body))))
        {
            return "wrong signature";
        }

        // Only after the signature: a sender without the secret cannot fill the cache.
        return _seen.TryAdd(nonceValue, milliseconds) switch
        {
            ReplayCache.Outcome.Added => null,
            ReplayCache.Outcome.Seen => "replayed nonce",
            _ => "timestamp older than the replay window",
        };
    }

    private static byte[] Compute(byte[] key, string method, string path, string timestamp, string nonce, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes($"{method}\n{path}\n{timestamp}\n{nonce}\n"));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
