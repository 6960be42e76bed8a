using System.Net;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>Every route behind auth refuses tokens that are missing, expired, unsigned, forged, for another audience or issuer, or of an erased user.</summary>
public abstract class TokenTests(GatewayFixture fixture)
{
    private Support.Api Api => fixture.Api;

    private static string Token(string userId, byte[]? key = null, string issuer = "userdata", string audience = "userdata", DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(15);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = expiry.AddMinutes(-15),
            NotBefore = expiry.AddMinutes(-15),
            Expires = expiry,
            Claims = new Dictionary<string, object> { ["sub"] = userId, ["email"] = "x@example.com", ["role"] = "admin", ["jti"] = Guid.NewGuid().ToString() },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? GatewayHost.SigningKey), SecurityAlgorithms.HmacSha256),
        });
    }

    private static string Unsigned(string userId)
    {
        static string Part(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        return $"{Part("""{"alg":"none","typ":"JWT"}""")}.{Part($$"""{"sub":"{{userId}}","iss":"userdata","aud":"userdata","exp":{{exp}},"role":"admin"}""")}.";
    }

    [Fact]
    public async Task A_token_signed_with_the_key_is_accepted()
    {
        var session = await Api.RegisterAsync();
        Expect.Status(await Api.GetAsync("/api/v1/me", Token(session.UserId)), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Bad_tokens_get_401()
    {
        var session = await Api.RegisterAsync();
        string[] refused =
        [
            "",
            "not.a.jwt",
            Unsigned(session.UserId),
            Token(session.UserId, expires: DateTime.UtcNow.AddSeconds(-5)),
            Token(session.UserId, key: Enumerable.Repeat((byte)7, 32).ToArray()),
            Token(session.UserId, audience: "someone-else"),
            Token(session.UserId, issuer: "someone-else"),
            session.AccessToken[..^2] + (session.AccessToken[^2] == 'A' ? "BA" : "AA"),
        ];

        foreach (var token in refused)
        {
            foreach (var path in new[] { "/api/v1/me", "/api/v1/me/tasks", "/api/v1/me/results/latest", "/api/v1/me/audit", "/api/v1/me/export" })
            {
                Expect.Error(await Api.GetAsync(path, token.Length == 0 ? null : token), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
            }
        }

        Expect.Error(await Api.GetAsync($"/api/v1/admin/users/{session.UserId}", Unsigned(session.UserId)), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task Tokens_of_an_erased_user_get_401()
    {
        var session = await Api.RegisterAsync();
        Expect.Status(await Api.SendAsync(HttpMethod.Delete, "/api/v1/me", token: session.AccessToken), HttpStatusCode.NoContent);

        Expect.Error(await Api.GetAsync("/api/v1/me", session.AccessToken), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Expect.Error(await Api.GetAsync("/api/v1/me/tasks", session.AccessToken), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Expect.Error(await Api.GetAsync("/api/v1/me", Token(session.UserId)), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new System.Text.Json.Nodes.JsonObject { ["refresh_token"] = session.RefreshToken }), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task A_token_for_a_user_that_never_existed_gets_401() =>
        Expect.Error(await Api.GetAsync("/api/v1/me", Token(Guid.NewGuid().ToString())), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
}

public sealed class TokenTestsOnSqlite(SqliteGateway fixture) : TokenTests(fixture), IClassFixture<SqliteGateway>;

public sealed class TokenTestsOnDynamoDb(DynamoDbGateway fixture) : TokenTests(fixture), IClassFixture<DynamoDbGateway>;
