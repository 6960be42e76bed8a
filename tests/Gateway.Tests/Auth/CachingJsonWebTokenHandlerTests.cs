using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using UserData.Gateway.Auth;
using UserData.Gateway.Options;
using UserData.Grains.Users;

namespace UserData.Gateway.Tests.Auth;

/// <summary>
/// The validated-token cache answers a remembered result to requests carrying exactly the same token, and to no other:
/// a second session of the same user, a token it never validated, or one that failed validation.
/// </summary>
public sealed class CachingJsonWebTokenHandlerTests : IDisposable
{
    private readonly AuthOptions _options = new()
    {
        SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        EmailKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    };

    private readonly CachingJsonWebTokenHandler _handler = new(TimeProvider.System);

    public void Dispose() => _handler.Dispose();

    [Fact]
    public async Task The_same_token_is_answered_its_remembered_result_and_another_session_of_the_user_its_own()
    {
        var userId = Guid.NewGuid().ToString();
        var first = Issue(userId, accessTokenId: "session-1");
        var second = Issue(userId, accessTokenId: "session-2");

        var firstResult = await _handler.ValidateTokenAsync(first, Parameters());
        var secondResult = await _handler.ValidateTokenAsync(second, Parameters());
        var firstAgain = await _handler.ValidateTokenAsync(first, Parameters());

        Assert.True(firstResult.IsValid);
        Assert.True(secondResult.IsValid);
        Assert.Same(firstResult, firstAgain);
        Assert.NotSame(firstResult, secondResult);
        Assert.NotSame(firstResult.ClaimsIdentity, secondResult.ClaimsIdentity);
        Assert.Equal("session-1", firstAgain.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Jti)?.Value);
        Assert.Equal("session-2", secondResult.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Jti)?.Value);
    }

    [Fact]
    public async Task A_token_that_failed_validation_is_not_remembered_and_a_changed_signature_is_not_served_from_the_cache()
    {
        var token = Issue(Guid.NewGuid().ToString(), accessTokenId: "session-1");
        Assert.True((await _handler.ValidateTokenAsync(token, Parameters())).IsValid);

        var forged = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        Assert.False((await _handler.ValidateTokenAsync(forged, Parameters())).IsValid);

        var wrongAudience = Parameters();
        wrongAudience.ValidAudience = "someone-else";
        var other = Issue(Guid.NewGuid().ToString(), accessTokenId: "session-2");
        Assert.False((await _handler.ValidateTokenAsync(other, wrongAudience)).IsValid);
        var retried = await _handler.ValidateTokenAsync(other, Parameters());
        Assert.True(retried.IsValid);
        Assert.Null(retried.Exception);
    }

    private Microsoft.IdentityModel.Tokens.TokenValidationParameters Parameters() => AccessTokens.ValidationParameters(_options);

    private string Issue(string userId, string accessTokenId)
    {
        var now = DateTimeOffset.UtcNow;
        var profile = new UserProfile(userId, $"{userId}@example.com", null, Roles.User, default, 1, now, now);
        return new AccessTokens(Microsoft.Extensions.Options.Options.Create(_options))
            .Issue(new IssuedSession(profile, "family", accessTokenId, now, now.AddDays(1)));
    }
}
