using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserData.Gateway.Auth;

/// <summary>
/// Validates access tokens like <see cref="JsonWebTokenHandler"/>, and remembers each valid one until it
/// expires: a client sends the same token with every request for 15 minutes, and the signature check and
/// JSON parsing were the largest per-request cost of an authenticated read. Only tokens that passed full
/// validation are remembered, keyed by their exact text (signature included), and never past their <c>exp</c>.
/// </summary>
/// <remarks>
/// The remembered result, its identity included, is answered as it is to every request that carries the same token,
/// so only requests of that one session ever share it. Nothing in the gateway or in ASP.NET Core's authentication and
/// authorization changes an authenticated identity; cloning it for each request was the largest allocation of a
/// <c>GET /me</c> (docs/benchmarks.md).
/// </remarks>
public sealed class CachingJsonWebTokenHandler(TimeProvider time) : JsonWebTokenHandler, IDisposable
{
    // One entry per live token (a few KB each): enough for the active users of one gateway, bounded in memory.
    private const int MaxEntries = 10_000;

    private readonly MemoryCache _valid = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (token is not null && _valid.TryGetValue(token, out TokenValidationResult? cached) && cached is not null)
        {
            return cached;
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { ValidTo: var expires } && expires > time.GetUtcNow().UtcDateTime)
        {
            _valid.Set(token!, result, new MemoryCacheEntryOptions { AbsoluteExpiration = new DateTimeOffset(expires, TimeSpan.Zero), Size = 1 });
        }

        return result;
    }

    public void Dispose() => _valid.Dispose();
}
