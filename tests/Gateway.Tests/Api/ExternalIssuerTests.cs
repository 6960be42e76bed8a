using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>
/// A gateway with <c>Auth:Authority</c> set to a real OIDC issuer on loopback (discovery document and JWKS over
/// HTTP, RS256 tokens): its tokens sign in as our users, our own tokens keep working. Run on SQLite and on DynamoDB.
/// </summary>
public abstract class ExternalIssuerTests : IAsyncLifetime
{
    private const string Audience = "userdata-client";

    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-oidc-").FullName;
    private readonly RSA _key = RSA.Create(2048);
    private WebApplication _issuer = null!;
    private GatewayHost _gateway = null!;

    private string Authority => _issuer.Urls.First();

    private Support.Api Api => new(_gateway.Client);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _issuer = builder.Build();
        _issuer.MapGet("/.well-known/openid-configuration", () => Results.Json(new JsonObject
        {
            ["issuer"] = Authority,
            ["jwks_uri"] = $"{Authority}/jwks",
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        }));
        var publicKey = _key.ExportParameters(includePrivateParameters: false);
        _issuer.MapGet("/jwks", () => Results.Json(new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = "issuer-key",
                ["n"] = Base64UrlEncoder.Encode(publicKey.Modulus),
                ["e"] = Base64UrlEncoder.Encode(publicKey.Exponent),
            }),
        }));
        await _issuer.StartAsync();
        _gateway = await GatewayHost.StartAsync(await StoreSettingsAsync(Settings(("Auth:Authority", Authority), ("Auth:AuthorityAudience", Audience))));
    }

    public virtual async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _issuer.DisposeAsync();
        _key.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task An_external_token_reaches_me_and_its_subject_is_the_same_user_on_every_token()
    {
        var subject = Guid.NewGuid().ToString();
        var email = Support.Api.NewEmail("external");

        var first = await Api.GetAsync("/api/v1/me", Token(subject, email));
        var second = await Api.GetAsync("/api/v1/me", Token(subject, email));

        Expect.Status(first, HttpStatusCode.OK);
        Expect.Status(second, HttpStatusCode.OK);
        var userId = first.Data["id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(userId, out _));
        Assert.NotEqual(subject, userId);
        Assert.Equal(userId, second.Data["id"]!.GetValue<string>());
        Assert.Equal(email, first.Data["email"]!.GetValue<string>());
        Assert.Equal("user", first.Data["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_me_works_with_an_external_token()
    {
        var token = Token(Guid.NewGuid().ToString(), Support.Api.NewEmail("external"));

        Expect.Status(await Api.SendAsync(HttpMethod.Patch, "/api/v1/me", new JsonObject { ["display_name"] = "Ext Ernal" }, token), HttpStatusCode.OK);

        Assert.Equal("Ext Ernal", (await Api.GetAsync("/api/v1/me", token)).Data["display_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_email_held_by_another_account_answers_409_and_is_not_linked()
    {
        var existing = await Api.RegisterAsync();

        var reply = await Api.GetAsync("/api/v1/me", Token(Guid.NewGuid().ToString(), existing.Email));

        Expect.Error(reply, HttpStatusCode.Conflict, "EMAIL_TAKEN");
    }

    [Fact]
    public async Task A_token_without_a_verified_email_creates_no_user_and_gets_401()
    {
        var reply = await Api.GetAsync("/api/v1/me", Token(Guid.NewGuid().ToString(), Support.Api.NewEmail("external"), emailVerified: false));

        Expect.Status(reply, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_erased_users_external_token_gets_401_and_recreates_nothing()
    {
        var subject = Guid.NewGuid().ToString();
        var email = Support.Api.NewEmail("external");
        Expect.Status(await Api.SendAsync(HttpMethod.Delete, "/api/v1/me", null, Token(subject, email)), HttpStatusCode.NoContent);

        Expect.Status(await Api.GetAsync("/api/v1/me", Token(subject, email)), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("another key")]
    [InlineData("expired")]
    [InlineData("another audience")]
    [InlineData("another issuer")]
    [InlineData("unsigned")]
    public async Task Bad_external_tokens_get_401(string flaw)
    {
        var subject = Guid.NewGuid().ToString();
        var email = Support.Api.NewEmail("external");
        using var otherKey = RSA.Create(2048);
        var now = DateTime.UtcNow;
        var token = flaw switch
        {
            "another key" => Token(subject, email, key: otherKey),
            "expired" => Token(subject, email, expires: now.AddHours(-1)),
            "another audience" => Token(subject, email, audience: "another-client"),
            "another issuer" => Token(subject, email, issuer: "http://127.0.0.1:9/other"),
            _ => new JsonWebTokenHandler().CreateToken(Descriptor(subject, email, Authority, Audience, now, now.AddMinutes(5), credentials: null)),
        };

        Expect.Status(await Api.GetAsync("/api/v1/me", token), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Our_own_tokens_still_work_with_an_authority_set()
    {
        var session = await Api.RegisterAsync();

        var me = await Api.GetAsync("/api/v1/me", session.AccessToken);

        Expect.Status(me, HttpStatusCode.OK);
        Assert.Equal(session.UserId, me.Data["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_authority_without_an_audience_stops_the_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
            await (await GatewayHost.StartAsync(Settings(("Auth:Authority", Authority)))).DisposeAsync());

        Assert.Contains("AuthorityAudience", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The gateway's settings with the store of the concrete class.</summary>
    protected virtual Task<Dictionary<string, string?>> StoreSettingsAsync(Dictionary<string, string?> settings) => Task.FromResult(settings);

    private Dictionary<string, string?> Settings(params (string Key, string? Value)[] overrides)
    {
        var settings = GatewayHost.BaseSettings(_folder);
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    private string Token(
        string subject, string email, bool emailVerified = true, RSA? key = null, DateTime? expires = null, string? audience = null, string? issuer = null)
    {
        var now = DateTime.UtcNow;
        var end = expires ?? now.AddMinutes(5);
        var credentials = new SigningCredentials(new RsaSecurityKey(key ?? _key) { KeyId = "issuer-key" }, SecurityAlgorithms.RsaSha256);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            Descriptor(subject, email, issuer ?? Authority, audience ?? Audience, end.AddMinutes(-10), end, credentials, emailVerified));
    }

    private static SecurityTokenDescriptor Descriptor(
        string subject, string email, string issuer, string audience, DateTime issuedAt, DateTime expires, SigningCredentials? credentials, bool emailVerified = true) => new()
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = expires,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = subject,
                [JwtRegisteredClaimNames.Email] = email,
                ["email_verified"] = emailVerified,
            },
            SigningCredentials = credentials,
        };
}

public sealed class ExternalIssuerOnSqlite : ExternalIssuerTests;

public sealed class ExternalIssuerOnDynamoDb : ExternalIssuerTests
{
    protected override async Task<Dictionary<string, string?>> StoreSettingsAsync(Dictionary<string, string?> settings) =>
        DynamoDbGateway.DynamoDbSettings(settings, (await UserData.TestSupport.DynamoDbLocal.Shared).ServiceUrl);
}
