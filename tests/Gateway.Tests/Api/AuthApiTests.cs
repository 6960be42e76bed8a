using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

public abstract class AuthApiTests(GatewayFixture fixture)
{
    private Support.Api Api => fixture.Api;

    [Fact]
    public async Task Register_returns_the_profile_and_a_token_pair()
    {
        var email = Support.Api.NewEmail("Mixed.Case");
        var reply = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register",
            new JsonObject { ["email"] = email, ["password"] = Support.Api.Password, ["display_name"] = "  Ann  " });

        Expect.Status(reply, HttpStatusCode.Created);
        var data = reply.Data;
        Assert.Equal("Bearer", data["token_type"]!.GetValue<string>());
        Assert.Equal(900, data["expires_in"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(data["refresh_token"]!.GetValue<string>()));
        var user = data["user"]!;
        Assert.Equal(email.ToLowerInvariant(), user["email"]!.GetValue<string>());
        Assert.Equal("Ann", user["display_name"]!.GetValue<string>());
        Assert.Equal("user", user["role"]!.GetValue<string>());
        Assert.Equal(1, user["version"]!.GetValue<long>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", user["created_at"]!.GetValue<string>());
        Assert.Equal("1.0.0", reply.Body!["meta"]!["version"]!.GetValue<string>());
        Assert.DoesNotContain("password", reply.Body.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_email_registers_once_compared_case_insensitively()
    {
        var email = Support.Api.NewEmail();
        await Api.RegisterAsync(email);

        var again = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", new JsonObject { ["email"] = email.ToUpperInvariant(), ["password"] = "another one" });

        Expect.Error(again, HttpStatusCode.Conflict, "EMAIL_TAKEN");
    }

    [Fact]
    public async Task Two_concurrent_registrations_of_one_email_give_one_201_and_one_409()
    {
        var email = Support.Api.NewEmail();
        var replies = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", new JsonObject { ["email"] = email, ["password"] = Support.Api.Password })));

        Assert.Single(replies, reply => reply.Status == HttpStatusCode.Created);
        Expect.Error(Assert.Single(replies, reply => reply.Status != HttpStatusCode.Created), HttpStatusCode.Conflict, "EMAIL_TAKEN");
    }

    public static TheoryData<string, string, string> InvalidRegistrations => new()
    {
        { """{"password":"password1"}""", "email", "required" },
        { """{"email":"","password":"password1"}""", "email", "required" },
        { """{"email":"nope","password":"password1"}""", "email", "invalid_format" },
        { $$"""{"email":"{{new string('a', 250)}}@b.co","password":"password1"}""", "email", "too_long" },
        { """{"email":"a@example.com"}""", "password", "required" },
        { """{"email":"a@example.com","password":"1234567"}""", "password", "too_short" },
        { $$"""{"email":"a@example.com","password":"{{new string('p', 129)}}"}""", "password", "too_long" },
        { $$"""{"email":"a@example.com","password":"password1","display_name":"{{new string('n', 101)}}"}""", "display_name", "too_long" },
        { """{"email":"a@example.com","password":"password1","role":"admin"}""", "role", "unknown_field" },
        { """{"email":"a@example.com","password":"password1","id":"x"}""", "id", "unknown_field" },
        { """{"email":5,"password":"password1"}""", "email", "invalid_type" },
        { """{"email":"a@example.com","password":["x"]}""", "password", "invalid_type" },
        { """[]""", "body", "invalid_type" },
    };

    [Theory]
    [MemberData(nameof(InvalidRegistrations))]
    public async Task Register_validation(string body, string field, string issue) =>
        Expect.Error(await Api.SendRawAsync(HttpMethod.Post, "/api/v1/auth/register", body), HttpStatusCode.BadRequest, "VALIDATION_ERROR", (field, issue));

    [Fact]
    public async Task Login_gives_a_new_pair_and_refuses_wrong_passwords_and_unknown_emails_alike()
    {
        var session = await Api.RegisterAsync();

        var ok = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = session.Email.ToUpperInvariant(), ["password"] = Support.Api.Password });
        Expect.Status(ok, HttpStatusCode.OK);
        Assert.Equal(session.UserId, ok.Data["user"]!["id"]!.GetValue<string>());
        Expect.Status(await Api.GetAsync("/api/v1/me", ok.Data["access_token"]!.GetValue<string>()), HttpStatusCode.OK);

        var wrong = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = session.Email, ["password"] = "wrong password" });
        var unknown = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = Support.Api.NewEmail(), ["password"] = "wrong password" });
        Expect.Error(wrong, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        Expect.Error(unknown, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        Assert.Equal(wrong.Body!["error"]!["message"]!.GetValue<string>(), unknown.Body!["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Login_validation()
    {
        Expect.Error(await Api.SendRawAsync(HttpMethod.Post, "/api/v1/auth/login", """{"email":"a@example.com"}"""), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("password", "required"));
        Expect.Error(await Api.SendRawAsync(HttpMethod.Post, "/api/v1/auth/login", """{"password":"x"}"""), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("email", "required"));
        Expect.Error(await Api.SendRawAsync(HttpMethod.Post, "/api/v1/auth/login", """{"email":"a@example.com","password":"x","remember":true}"""), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("remember", "unknown_field"));
    }

    [Fact]
    public async Task Refresh_rotates_and_a_reused_token_revokes_the_family()
    {
        var session = await Api.RegisterAsync();

        var rotated = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new JsonObject { ["refresh_token"] = session.RefreshToken });
        Expect.Status(rotated, HttpStatusCode.OK);
        var next = rotated.Data["refresh_token"]!.GetValue<string>();
        Assert.NotEqual(session.RefreshToken, next);
        Expect.Status(await Api.GetAsync("/api/v1/me", rotated.Data["access_token"]!.GetValue<string>()), HttpStatusCode.OK);

        Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new JsonObject { ["refresh_token"] = session.RefreshToken }), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new JsonObject { ["refresh_token"] = next }), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");

        var audit = await Api.GetAsync("/api/v1/me/audit", session.AccessToken);
        Assert.Equal("session.revoked", audit.Data[0]!["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task Logout_ends_the_session()
    {
        var session = await Api.RegisterAsync();

        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/logout", new JsonObject { ["refresh_token"] = session.RefreshToken }), HttpStatusCode.NoContent);

        Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new JsonObject { ["refresh_token"] = session.RefreshToken }), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("00000000-0000-0000-0000-000000000000.family.secret")]
    [InlineData("a.b.c")]
    public async Task Malformed_or_unknown_refresh_tokens_are_refused(string token) =>
        Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new JsonObject { ["refresh_token"] = token }), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");

    [Fact]
    public async Task A_registration_retried_with_its_idempotency_key_replays_and_another_body_is_refused()
    {
        var email = Support.Api.NewEmail();
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() };
        var body = new JsonObject { ["email"] = email, ["password"] = Support.Api.Password };

        var first = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", body, headers: headers);
        var again = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", body, headers: headers);
        var other = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", new JsonObject { ["email"] = email, ["password"] = "different!" }, headers: headers);

        Expect.Status(first, HttpStatusCode.Created);
        Expect.Status(again, HttpStatusCode.Created);
        Assert.Equal(first.Data["user"]!.ToJsonString(), again.Data["user"]!.ToJsonString());
        Expect.Error(other, HttpStatusCode.UnprocessableEntity, "IDEMPOTENCY_KEY_REUSED");
    }

    [Fact]
    public async Task Bootstrap_admin_emails_get_the_admin_role_and_can_read_other_users()
    {
        var admin = await Api.RegisterAsync("admin@example.com");
        var user = await Api.RegisterAsync();

        var reply = await Api.GetAsync($"/api/v1/admin/users/{user.UserId}", admin.AccessToken);
        Expect.Status(reply, HttpStatusCode.OK);
        Assert.Equal(user.Email, reply.Data["email"]!.GetValue<string>());
        Expect.Error(await Api.GetAsync($"/api/v1/admin/users/{Guid.NewGuid()}", admin.AccessToken), HttpStatusCode.NotFound, "NOT_FOUND");
        Expect.Error(await Api.GetAsync($"/api/v1/admin/users/{admin.UserId}", user.AccessToken), HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task The_admin_cluster_view_lists_the_silos_and_activations_by_grain_type()
    {
        var admin = await Api.RegisterAsync("operator@example.com");
        var user = await Api.RegisterAsync();

        var reply = await Api.GetAsync("/api/v1/admin/cluster", admin.AccessToken);

        Expect.Status(reply, HttpStatusCode.OK);
        var silo = Assert.Single(reply.Data["silos"]!.AsArray())!;
        Assert.Equal("Active", silo["status"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", silo["last_heartbeat"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", silo["started_at"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(silo["address"]!.GetValue<string>()));
        var byType = reply.Data["activations_by_type"]!.AsObject();
        // Grain classes as Orleans names them (UserData.Grains.Users.UserGrain, ...).
        Assert.True(byType.Single(pair => pair.Key.Contains(".UserGrain", StringComparison.Ordinal)).Value!.GetValue<int>() >= 2);
        Assert.True(byType.Single(pair => pair.Key.Contains(".EmailGrain", StringComparison.Ordinal)).Value!.GetValue<int>() >= 2);
        Assert.Equal(byType.Sum(pair => pair.Value!.GetValue<int>()), silo["activations"]!.GetValue<int>());
        Expect.Error(await Api.GetAsync("/api/v1/admin/cluster", user.AccessToken), HttpStatusCode.Forbidden, "FORBIDDEN");
        Expect.Error(await Api.GetAsync("/api/v1/admin/cluster", null), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }
}

public sealed class AuthApiOnSqlite(SqliteGateway fixture) : AuthApiTests(fixture), IClassFixture<SqliteGateway>;

public sealed class AuthApiOnDynamoDb(DynamoDbGateway fixture) : AuthApiTests(fixture), IClassFixture<DynamoDbGateway>;
