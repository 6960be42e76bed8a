using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace UserData.Runtime.Cluster.Transport;

/// <summary>
/// HMAC-SHA256 with <c>Cluster:Secret</c> over <c>METHOD\npath\ntimestamp\n</c> and the body: the silo port only
/// serves requests from processes that hold the secret, so it cannot be used to get around the gateway's JWT checks.
/// </summary>
public sealed class RequestSigner
{
    public const string TimestampHeader = "X-UserData-Timestamp";
    public const string SignatureHeader = "X-UserData-Signature";

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public RequestSigner(string secret, TimeSpan maxClockSkew, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _key = Encoding.UTF8.GetBytes(secret);
        MaxClockSkew = maxClockSkew;
        _time = time ?? TimeProvider.System;
    }

    public TimeSpan MaxClockSkew { get; }

    /// <summary>The timestamp and signature headers' values for a request signed now.</summary>
    public (string Timestamp, string Signature) Sign(string method, string path, ReadOnlySpan<byte> body)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return (timestamp, Convert.ToBase64String(Compute(method, path, timestamp, body)));
    }

    /// <summary>Why the request must be refused, or null when its signature is valid and recent.</summary>
    public string? Verify(string method, string path, string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
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

        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(signature, given, out var length) || length != HMACSHA256.HashSizeInBytes)
        {
            return "malformed signature";
        }

        return CryptographicOperations.FixedTimeEquals(given, Compute(method, path, timestamp, body)) ? null : "wrong signature";
    }

    private byte[] Compute(string method, string path, string timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(Encoding.UTF8.GetBytes($"{method}\n{path}\n{timestamp}\n"));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }
}
