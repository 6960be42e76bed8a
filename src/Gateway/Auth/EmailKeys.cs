using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using UserData.Gateway.Options;

namespace UserData.Gateway.Auth;

/// <summary>
/// The key of an email's grain: an HMAC of the normalized address with <c>Auth:EmailKey</c>. The grain key is
/// stored with every event and snapshot of the grain and is not redacted by erasure, so it must not be the address.
/// </summary>
public sealed class EmailKeys(IOptions<AuthOptions> auth)
{
    private readonly byte[] _key = auth.Value.EmailKeyBytes;

    public string GrainKey(string normalizedEmail)
    {
        ArgumentNullException.ThrowIfNull(normalizedEmail);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(normalizedEmail)));
    }
}
