using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>Idempotency-Key on register, login, refresh and logout: a replay gives the same tokens, never a new session.</summary>
public abstract class IdempotentAuthTests(GatewayFixture fixture)
{
    private Support.Api Api => fixture.Api;

    private static Dictionary<string, string> Key(string? key = null) => new() { ["Idempotency-Key"] = key ?? Guid.NewGuid().ToString() };

    private static JsonObject Credentials(string email) => new() { ["email"] = email, ["password"] = Support.Api.Password };

    private static JsonObject Token(string refreshToken) => new() { ["refresh_token"] = refreshToken };

    [Fact]
    public async Task A_replayed_registration_answers_the_same_user_and_tokens()
    {
        var email = Support.Api.NewEmail();
        var key = Key();

        var first = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", Credentials(email), headers: key);
        var replay = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", Credentials(email), headers: key);

        Expect.Status(first, HttpStatusCode.Created);
        Expect.Status(replay, HttpStatusCode.Created);
        Assert.Equal(first.Data.ToJsonString(), replay.Data.ToJsonString());
        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(replay.Data["refresh_token"]!.GetValue<string>())), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_replayed_login_answers_the_same_tokens_and_another_body_is_refused()
    {
        var session = await Api.RegisterAsync();
        var key = Key();

        var first = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", Credentials(session.Email), headers: key);
        var replay = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", Credentials(session.Email), headers: key);
        var other = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", Credentials(session.Email.ToUpperInvariant()), headers: key);

        Expect.Status(first, HttpStatusCode.OK);
        Expect.Status(replay, HttpStatusCode.OK);
        Assert.Equal(first.Data.ToJsonString(), replay.Data.ToJsonString());
        Expect.Error(other, HttpStatusCode.UnprocessableEntity, "IDEMPOTENCY_KEY_REUSED");
        Expect.Status(await Api.GetAsync("/api/v1/me", replay.Data["access_token"]!.GetValue<string>()), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logins_without_a_key_each_start_a_new_session()
    {
        var session = await Api.RegisterAsync();

        var first = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", Credentials(session.Email));
        var second = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", Credentials(session.Email));

        Expect.Status(first, HttpStatusCode.OK);
        Expect.Status(second, HttpStatusCode.OK);
        Assert.NotEqual(first.Data["refresh_token"]!.GetValue<string>(), second.Data["refresh_token"]!.GetValue<string>());
        Assert.NotEqual(first.Data["access_token"]!.GetValue<string>(), second.Data["access_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_replayed_refresh_gets_no_tokens_and_ends_the_session_and_another_body_is_refused()
    {
        var session = await Api.RegisterAsync();
        var other = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", Credentials(session.Email));
        var key = Key();

        var first = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(session.RefreshToken), headers: key);
        var refused = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(other.Data["refresh_token"]!.GetValue<string>()), headers: key);
        var replay = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(session.RefreshToken), headers: key);

        Expect.Status(first, HttpStatusCode.OK);
        Expect.Error(refused, HttpStatusCode.UnprocessableEntity, "IDEMPOTENCY_KEY_REUSED");
        // The presented token is dead since the first call: its presenter gets nothing, with or without the key.
        Expect.Error(replay, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.Null(replay.Body!["data"]);
        Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(first.Data["refresh_token"]!.GetValue<string>())), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(other.Data["refresh_token"]!.GetValue<string>())), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_refresh_without_a_key_presented_twice_is_a_reuse()
    {
        var session = await Api.RegisterAsync();

        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(session.RefreshToken)), HttpStatusCode.OK);
        Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(session.RefreshToken)), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task A_refresh_replayed_after_its_new_token_was_used_revokes_the_family()
    {
        var session = await Api.RegisterAsync();
        var key = Key();
        var first = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(session.RefreshToken), headers: key);
        var second = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(first.Data["refresh_token"]!.GetValue<string>()));
        Expect.Status(second, HttpStatusCode.OK);

        var replay = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(session.RefreshToken), headers: key);

        Expect.Error(replay, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(second.Data["refresh_token"]!.GetValue<string>())), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task A_replayed_logout_answers_204_and_another_body_is_refused()
    {
        var session = await Api.RegisterAsync();
        var other = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", Credentials(session.Email));
        var key = Key();

        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/logout", Token(session.RefreshToken), headers: key), HttpStatusCode.NoContent);
        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/logout", Token(session.RefreshToken), headers: key), HttpStatusCode.NoContent);
        Expect.Error(
            await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/logout", Token(other.Data["refresh_token"]!.GetValue<string>()), headers: key),
            HttpStatusCode.UnprocessableEntity, "IDEMPOTENCY_KEY_REUSED");
        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(other.Data["refresh_token"]!.GetValue<string>())), HttpStatusCode.OK);
    }
}

public sealed class IdempotentAuthOnSqlite(SqliteGateway fixture) : IdempotentAuthTests(fixture), IClassFixture<SqliteGateway>;

public sealed class IdempotentAuthOnDynamoDb(DynamoDbGateway fixture) : IdempotentAuthTests(fixture), IClassFixture<DynamoDbGateway>;

/// <summary>The 24-hour window, on a gateway of its own whose clock the test moves.</summary>
public sealed class IdempotencyWindowTests : IAsyncLifetime
{
    private readonly string _dataFolder = Directory.CreateTempSubdirectory("userdata-idempotency-").FullName;
    private readonly ShiftedTime _time = new();
    private GatewayHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await GatewayHost.StartAsync(GatewayHost.BaseSettings(_dataFolder), builder => builder.Services.AddSingleton<TimeProvider>(_time));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dataFolder, recursive: true);
    }

    [Fact]
    public async Task After_24_hours_a_key_is_fresh()
    {
        var api = new Support.Api(_host.Client);
        var session = await api.RegisterAsync();
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = "daily" };
        var body = new JsonObject { ["email"] = session.Email, ["password"] = Support.Api.Password };
        var first = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", body, headers: key);
        _time.Offset = TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1);
        var withinWindow = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", body, headers: key);

        _time.Offset = TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1);
        var later = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", body, headers: key);
        var otherBody = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = session.Email.ToUpperInvariant(), ["password"] = Support.Api.Password }, headers: key);

        Assert.Equal(first.Data.ToJsonString(), withinWindow.Data.ToJsonString());
        Expect.Status(later, HttpStatusCode.OK);
        Assert.NotEqual(first.Data["refresh_token"]!.GetValue<string>(), later.Data["refresh_token"]!.GetValue<string>());
        Expect.Error(otherBody, HttpStatusCode.UnprocessableEntity, "IDEMPOTENCY_KEY_REUSED");
    }
}
