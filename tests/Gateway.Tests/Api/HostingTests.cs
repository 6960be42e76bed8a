using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using UserData.Gateway.Auth;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>Restarts, crashes, CORS and rate limits: each test runs its own gateway.</summary>
public sealed class HostingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-hosting-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Dictionary<string, string?> Settings(params (string Key, string? Value)[] overrides)
    {
        var settings = GatewayHost.BaseSettings(_folder);
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task Without_configured_keys_a_local_run_generates_them_and_keeps_them_across_restarts()
    {
        var settings = Settings(("Auth:SigningKey", null), ("Auth:EmailKey", null));
        Session session;
        await using (var first = await GatewayHost.StartAsync(settings))
        {
            session = await new Support.Api(first.Client).RegisterAsync();
        }

        Assert.True(File.Exists(Path.Combine(_folder, SigningKeySetup.KeyFileName)));
        Assert.True(File.Exists(Path.Combine(_folder, SigningKeySetup.EmailKeyFileName)));
        await using var second = await GatewayHost.StartAsync(settings);
        var api = new Support.Api(second.Client);
        Expect.Status(await api.GetAsync("/api/v1/me", session.AccessToken), HttpStatusCode.OK);
        Expect.Status(await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = session.Email, ["password"] = Support.Api.Password }), HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("Auth:SigningKey", "c2hvcnQ=")]
    [InlineData("Auth:SigningKey", "not base64!")]
    [InlineData("Auth:EmailKey", "c2hvcnQ=")]
    [InlineData("RateLimits:LoginPerMinute", "0")]
    [InlineData("Storage:Provider", "Cassandra")]
    public async Task Invalid_configuration_stops_the_start(string key, string value) =>
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await GatewayHost.StartAsync(Settings((key, value)))).DisposeAsync());

    [Theory]
    [InlineData("Auth:SigningKey")]
    [InlineData("Auth:EmailKey")]
    public async Task Outside_local_sqlite_runs_the_keys_are_required(string key) =>
        await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
            await (await GatewayHost.StartAsync(Settings((key, null), ("Storage:Provider", "DynamoDB"), ("Storage:DynamoDB:ServiceUrl", "http://127.0.0.1:9"))))
                .DisposeAsync());

    [Fact]
    public async Task A_token_accepted_before_is_refused_once_it_expires()
    {
        await using var host = await GatewayHost.StartAsync(Settings(("Auth:AccessTokenLifetime", "00:00:02")));
        var api = new Support.Api(host.Client);
        var session = await api.RegisterAsync();
        Expect.Status(await api.GetAsync("/api/v1/me", session.AccessToken), HttpStatusCode.OK);

        // The validated token is remembered, but never past its exp.
        await UserData.TestSupport.Eventually.TrueAsync(
            async () => (await api.GetAsync("/api/v1/me", session.AccessToken)).Status == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10), "the expired token is refused");
        Expect.Error(await api.GetAsync("/api/v1/me", session.AccessToken), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
    }

    [Fact]
    public async Task Logs_never_contain_passwords_tokens_or_hashes_and_carry_the_request_id()
    {
        var logs = new CapturingLoggerProvider();
        var settings = Settings(("Logging:LogLevel:Default", "Trace"), ("Logging:LogLevel:Microsoft.AspNetCore", "Trace"));
        await using var host = await GatewayHost.StartAsync(settings, builder => builder.Logging.AddProvider(logs));
        var api = new Support.Api(host.Client);
        const string password = "very-secret-password-42";
        var session = await api.RegisterAsync(password: password);
        var login = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = session.Email, ["password"] = password });
        await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = session.Email, ["password"] = password + "x" });
        var refreshed = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new JsonObject { ["refresh_token"] = session.RefreshToken });
        await api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new JsonObject { ["refresh_token"] = session.RefreshToken });
        await api.SendAsync(HttpMethod.Get, "/api/v1/me", token: session.AccessToken, headers: new Dictionary<string, string> { ["X-Request-Id"] = "trace-me-1" });
        await api.GetAsync("/api/v1/me", session.AccessToken[..^4] + "AAAA");

        var secrets = new[]
        {
            password, session.AccessToken, session.RefreshToken, session.RefreshToken.Split('.')[2],
            login.Data["access_token"]!.GetValue<string>(), login.Data["refresh_token"]!.GetValue<string>(),
            refreshed.Data["refresh_token"]!.GetValue<string>(), "AQAAAA", // the PasswordHasher v3 hash prefix (base64)
        };
        Assert.NotEmpty(logs.Lines);
        foreach (var line in logs.Lines)
        {
            foreach (var secret in secrets)
            {
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"A log line holds a secret: {line}");
            }
        }

        Assert.Contains(logs.Lines, line => line.Contains("trace-me-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cors_admits_only_the_frontend_origins()
    {
        await using var host = await GatewayHost.StartAsync(Settings());
        var api = new Support.Api(host.Client);
        var session = await api.RegisterAsync();

        var allowed = await api.SendAsync(HttpMethod.Get, "/api/v1/me", token: session.AccessToken, headers: new Dictionary<string, string> { ["Origin"] = "https://admin.example.com" });
        Assert.Equal("https://admin.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var exposed = string.Join(",", allowed.Headers.GetValues("Access-Control-Expose-Headers"));
        foreach (var header in new[] { "ETag", "Location", "X-Request-Id", "Retry-After" })
        {
            Assert.Contains(header, exposed, StringComparison.OrdinalIgnoreCase);
        }

        var origin = new Dictionary<string, string> { ["Origin"] = "https://app.example.com" };
        var unauthenticated = await api.SendAsync(HttpMethod.Get, "/api/v1/me", headers: origin);
        Expect.Error(unauthenticated, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Assert.Equal("https://app.example.com", unauthenticated.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var invalid = await api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", "{", session.AccessToken, origin);
        Expect.Error(invalid, HttpStatusCode.BadRequest, "INVALID_JSON");
        Assert.Equal("https://app.example.com", invalid.Headers.GetValues("Access-Control-Allow-Origin").Single());

        var foreign = await api.SendAsync(HttpMethod.Get, "/api/v1/me", token: session.AccessToken, headers: new Dictionary<string, string> { ["Origin"] = "https://evil.example.net" });
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Origin"));

        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/v1/me/tasks/some-id");
        preflight.Headers.Add("Origin", "https://app.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "PATCH");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,if-match,idempotency-key,x-request-id");
        using var answer = await host.Client.SendAsync(preflight);
        Assert.True(answer.IsSuccessStatusCode, answer.StatusCode.ToString());
        Assert.Equal("https://app.example.com", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var allowedHeaders = string.Join(",", answer.Headers.GetValues("Access-Control-Allow-Headers"));
        foreach (var header in new[] { "Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Request-Id" })
        {
            Assert.Contains(header, allowedHeaders, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Rate_limits_answer_429_with_retry_after()
    {
        await using var host = await GatewayHost.StartAsync(Settings(
            ("RateLimits:LoginPerMinute", "3"), ("RateLimits:RegisterPerMinute", "4"), ("RateLimits:UserRequestsPerSecond", "5")));
        var api = new Support.Api(host.Client);
        var user = await api.RegisterAsync();
        var other = await api.RegisterAsync();

        var login = new JsonObject { ["email"] = user.Email, ["password"] = "wrong password" };
        for (var i = 0; i < 3; i++)
        {
            Expect.Error(await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", login.DeepClone()), HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        var limited = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", login.DeepClone());
        Expect.Error(limited, HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Expect.Status(await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = other.Email, ["password"] = Support.Api.Password }), HttpStatusCode.OK);

        await api.RegisterAsync();
        await api.RegisterAsync();
        var register = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", new JsonObject { ["email"] = Support.Api.NewEmail(), ["password"] = Support.Api.Password });
        Expect.Error(register, HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.True(register.Headers.Contains("Retry-After"));

        var burst = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => api.GetAsync("/api/v1/me", user.AccessToken)));
        Assert.InRange(burst.Count(reply => reply.Status == HttpStatusCode.OK), 10, 20);
        var refused = burst.First(reply => reply.Status == HttpStatusCode.TooManyRequests);
        Expect.Error(refused, HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Assert.True(refused.Headers.Contains("Retry-After"));
        Expect.Status(await api.GetAsync("/api/v1/me", other.AccessToken), HttpStatusCode.OK);

        // The bucket refills: the refused user is served again a second or so later.
        await UserData.TestSupport.Eventually.TrueAsync(
            async () => (await api.GetAsync("/api/v1/me", user.AccessToken)).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10), "the user's bucket refilled");
    }
}
