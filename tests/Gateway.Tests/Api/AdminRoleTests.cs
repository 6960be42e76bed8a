using System.Net;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>
/// PUT /admin/users/{id}/role and <c>Bootstrap__AdminEmails</c> at sign-in. Each test starts its own gateway whose only
/// bootstrap email is <see cref="RootEmail"/>, so that it knows every admin there is ("the last admin" is then a fact).
/// </summary>
public abstract class AdminRoleTests : IAsyncLifetime
{
    private const string RootEmail = "root@example.com";

    private readonly string _dataFolder = Directory.CreateTempSubdirectory("userdata-roles-").FullName;
    private Dictionary<string, string?> _settings = null!;
    private GatewayHost _host = null!;

    /// <summary>The admins <see cref="AdminsAloneAsync"/> made last time, erased before it makes others.</summary>
    private List<string> _survivors = [];

    private Support.Api Api { get; set; } = null!;

    protected abstract Task<Dictionary<string, string?>> SettingsAsync(string dataFolder);

    public async Task InitializeAsync()
    {
        _settings = await SettingsAsync(_dataFolder);
        _settings["Bootstrap:AdminEmails"] = RootEmail;
        await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task An_admin_promotes_and_demotes_a_user_and_the_token_role_follows_at_refresh_and_login()
    {
        var root = await Api.RegisterAsync(RootEmail);
        var user = await Api.RegisterAsync();

        var promoted = await SetRoleAsync(root, user.UserId, "admin");

        Expect.Status(promoted, HttpStatusCode.OK);
        Assert.Equal(user.UserId, promoted.Data["id"]!.GetValue<string>());
        Assert.Equal("admin", promoted.Data["role"]!.GetValue<string>());
        Assert.Equal(2, promoted.Data["version"]!.GetValue<long>());
        Assert.Equal("\"2\"", promoted.ETag);
        Assert.Equal("user", Role(user));
        Expect.Error(await Api.GetAsync("/api/v1/admin/cluster", user.AccessToken), HttpStatusCode.Forbidden, "FORBIDDEN");
        var refreshed = await RefreshAsync(user);
        Assert.Equal("admin", Role(refreshed));
        Expect.Status(await Api.GetAsync($"/api/v1/admin/users/{root.UserId}", refreshed.AccessToken), HttpStatusCode.OK);
        Expect.Status(await SetRoleAsync(root, user.UserId, "admin"), HttpStatusCode.OK);

        var demoted = await SetRoleAsync(root, user.UserId, "user");

        Expect.Status(demoted, HttpStatusCode.OK);
        Assert.Equal("user", demoted.Data["role"]!.GetValue<string>());
        Assert.Equal(3, demoted.Data["version"]!.GetValue<long>());
        var login = await LoginAsync(user.Email);
        Assert.Equal("user", Role(login));
        Expect.Error(await Api.GetAsync("/api/v1/admin/cluster", login.AccessToken), HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.Equal("user", (await Api.GetAsync("/api/v1/me", login.AccessToken)).Data["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_role_change_is_audited_in_the_users_trail_with_the_acting_admin()
    {
        var root = await Api.RegisterAsync(RootEmail);
        var user = await Api.RegisterAsync();
        await SetRoleAsync(root, user.UserId, "admin");
        await SetRoleAsync(root, user.UserId, "admin");
        await SetRoleAsync(root, user.UserId, "user");

        var audit = await Api.GetAsync("/api/v1/me/audit", user.AccessToken);

        var entries = audit.Data.AsArray();
        Assert.Equal(["role.changed", "role.changed", "user.registered"], entries.Select(entry => entry!["action"]!.GetValue<string>()));
        Assert.Equal("""{"old":"admin","new":"user"}""", entries[0]!["changes"]!["role"]!.ToJsonString());
        Assert.Equal("""{"old":"user","new":"admin"}""", entries[1]!["changes"]!["role"]!.ToJsonString());
        Assert.Equal($$"""{"old":null,"new":"{{root.UserId}}"}""", entries[1]!["changes"]!["changed_by"]!.ToJsonString());
        Assert.False(string.IsNullOrEmpty(entries[0]!["request_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Only_an_admin_changes_roles_of_users_that_exist_to_roles_that_exist()
    {
        var root = await Api.RegisterAsync(RootEmail);
        var user = await Api.RegisterAsync();
        var other = await Api.RegisterAsync();

        Expect.Error(await SetRoleAsync(user, other.UserId, "admin"), HttpStatusCode.Forbidden, "FORBIDDEN");
        Expect.Error(await SetRoleAsync(user, user.UserId, "admin"), HttpStatusCode.Forbidden, "FORBIDDEN");
        Expect.Error(await Api.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{other.UserId}/role", new JsonObject { ["role"] = "admin" }),
            HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Expect.Error(await SetRoleAsync(root, Guid.NewGuid().ToString(), "admin"), HttpStatusCode.NotFound, "NOT_FOUND");
        Expect.Error(await SetRoleAsync(root, "not-an-id", "admin"), HttpStatusCode.NotFound, "NOT_FOUND");
        Expect.Error(await SetRoleAsync(root, other.UserId, "owner"), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("role", "invalid_value"));
        Expect.Error(await Api.SendRawAsync(HttpMethod.Put, $"/api/v1/admin/users/{other.UserId}/role", "{}", root.AccessToken),
            HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("role", "required"));
        Expect.Error(await Api.SendRawAsync(HttpMethod.Put, $"/api/v1/admin/users/{other.UserId}/role", """{"role":"admin","id":"x"}""", root.AccessToken),
            HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("id", "unknown_field"));
        Expect.Error(await Api.SendRawAsync(HttpMethod.Put, $"/api/v1/admin/users/{other.UserId}/role", """{"role":"admin"}""", root.AccessToken,
            new Dictionary<string, string> { ["If-Match"] = "\"7\"" }), HttpStatusCode.PreconditionFailed, "PRECONDITION_FAILED");
        var listed = await SetRoleAsync(root, root.UserId, "user");
        Expect.Error(listed, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Contains("Bootstrap__AdminEmails", listed.Body!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("user", (await Api.GetAsync($"/api/v1/admin/users/{other.UserId}", root.AccessToken)).Data["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_last_admin_cannot_give_up_its_role()
    {
        var admins = await AdminsAloneAsync(2);

        Expect.Status(await SetRoleAsync(admins[0], admins[0].UserId, "user"), HttpStatusCode.OK);
        var last = await SetRoleAsync(admins[1], admins[1].UserId, "user");

        Expect.Error(last, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Contains("last admin", last.Body!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("admin", (await Api.GetAsync("/api/v1/me", admins[1].AccessToken)).Data["role"]!.GetValue<string>());
        Expect.Status(await Api.GetAsync("/api/v1/admin/cluster", (await LoginAsync(admins[1].Email)).AccessToken), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Two_admins_demoting_each_other_at_once_leave_exactly_one_admin()
    {
        for (var round = 0; round < 3; round++)
        {
            var pair = await AdminsAloneAsync(2);
            var each = await Task.WhenAll(SetRoleAsync(pair[0], pair[1].UserId, "user"), SetRoleAsync(pair[1], pair[0].UserId, "user"));
            await ExpectOneWinnerAsync(pair, each);

            pair = await AdminsAloneAsync(2);
            var selves = await Task.WhenAll(SetRoleAsync(pair[0], pair[0].UserId, "user"), SetRoleAsync(pair[1], pair[1].UserId, "user"));
            await ExpectOneWinnerAsync(pair, selves);
            Expect.Error(Assert.Single(selves, reply => reply.Status != HttpStatusCode.OK), HttpStatusCode.Conflict, "CONFLICT");
        }
    }

    [Fact]
    public async Task An_existing_account_whose_email_gets_listed_becomes_admin_at_its_next_sign_in()
    {
        var root = await Api.RegisterAsync(RootEmail);
        var late = await Api.RegisterAsync(Support.Api.NewEmail("late"));
        Assert.Equal("user", Role(late));

        await _host.DisposeAsync();
        _settings["Bootstrap:AdminEmails"] = $"{RootEmail}, {late.Email.ToUpperInvariant()}";
        await StartAsync();
        var login = await LoginAsync(late.Email);

        Assert.Equal("admin", Role(login));
        Assert.Equal("admin", (await Api.GetAsync("/api/v1/me", login.AccessToken)).Data["role"]!.GetValue<string>());
        Expect.Status(await Api.GetAsync("/api/v1/admin/cluster", login.AccessToken), HttpStatusCode.OK);
        var entry = (await Api.GetAsync("/api/v1/me/audit", login.AccessToken)).Data.AsArray()[0]!;
        Assert.Equal("role.changed", entry["action"]!.GetValue<string>());
        Assert.Equal("""{"old":null,"new":"bootstrap"}""", entry["changes"]!["changed_by"]!.ToJsonString());
        await LoginAsync(late.Email);
        Assert.Single((await Api.GetAsync("/api/v1/me/audit", login.AccessToken)).Data.AsArray(), e => e!["action"]!.GetValue<string>() == "role.changed");
        Assert.Equal("admin", Role(await LoginAsync(root.Email)));
    }

    /// <summary>
    /// <paramref name="count"/> new users made admin by the root, which then erases its account: they are then the only
    /// admins there are (whoever else was admin before is erased too). Their tokens carry the role.
    /// </summary>
    private async Task<Session[]> AdminsAloneAsync(int count)
    {
        foreach (var survivor in _survivors)
        {
            Expect.Status(await Api.SendAsync(HttpMethod.Delete, "/api/v1/me", token: (await LoginAsync(survivor)).AccessToken), HttpStatusCode.NoContent);
        }

        var root = await Api.RegisterAsync(RootEmail);
        var admins = new List<Session>();
        for (var i = 0; i < count; i++)
        {
            var user = await Api.RegisterAsync();
            Expect.Status(await SetRoleAsync(root, user.UserId, "admin"), HttpStatusCode.OK);
            admins.Add(await LoginAsync(user.Email));
        }

        Expect.Status(await Api.SendAsync(HttpMethod.Delete, "/api/v1/me", token: root.AccessToken), HttpStatusCode.NoContent);
        _survivors = admins.Select(admin => admin.Email).ToList();
        return [.. admins];
    }

    /// <summary>Exactly one of the two requests succeeded, and exactly one of the two users is still admin.</summary>
    private async Task ExpectOneWinnerAsync(Session[] pair, Reply[] replies)
    {
        Assert.Single(replies, reply => reply.Status == HttpStatusCode.OK);
        var loser = Assert.Single(replies, reply => reply.Status != HttpStatusCode.OK);
        Assert.True(loser.Status is HttpStatusCode.Conflict or HttpStatusCode.Forbidden, loser.Body?.ToJsonString());
        var roles = new List<string>();
        foreach (var admin in pair)
        {
            roles.Add((await Api.GetAsync("/api/v1/me", admin.AccessToken)).Data["role"]!.GetValue<string>());
        }

        Assert.Equal(1, roles.Count(role => role == "admin"));
    }

    private async Task StartAsync()
    {
        _host = await GatewayHost.StartAsync(_settings);
        Api = new Support.Api(_host.Client);
    }

    private Task<Reply> SetRoleAsync(Session actor, string userId, string role) =>
        Api.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{userId}/role", new JsonObject { ["role"] = role }, actor.AccessToken);

    private async Task<Session> LoginAsync(string email)
    {
        var reply = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = email, ["password"] = Support.Api.Password });
        Expect.Status(reply, HttpStatusCode.OK);
        return Support.Api.ToSession(reply, email);
    }

    private async Task<Session> RefreshAsync(Session session)
    {
        var reply = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new JsonObject { ["refresh_token"] = session.RefreshToken });
        Expect.Status(reply, HttpStatusCode.OK);
        return Support.Api.ToSession(reply, session.Email);
    }

    /// <summary>The role claim of the session's access token.</summary>
    private static string Role(Session session) => new JsonWebToken(session.AccessToken).GetClaim("role").Value;
}

public sealed class AdminRoleOnSqlite : AdminRoleTests
{
    protected override Task<Dictionary<string, string?>> SettingsAsync(string dataFolder) => Task.FromResult(GatewayHost.BaseSettings(dataFolder));
}

public sealed class AdminRoleOnDynamoDb : AdminRoleTests
{
    protected override async Task<Dictionary<string, string?>> SettingsAsync(string dataFolder) =>
        DynamoDbGateway.DynamoDbSettings(GatewayHost.BaseSettings(dataFolder), (await UserData.TestSupport.DynamoDbLocal.Shared).ServiceUrl);
}
