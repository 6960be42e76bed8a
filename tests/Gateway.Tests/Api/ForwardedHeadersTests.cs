using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>
/// Rate limits per real client behind a proxy: X-Forwarded-For names the client only when the connection comes
/// from a network in Gateway:TrustedProxies. The tests connect over loopback, so loopback plays the load balancer.
/// </summary>
public sealed class ForwardedHeadersTests : IDisposable
{
    private const int LoginsPerMinute = 2;
    private const int RegistrationsPerMinute = 2;
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-forwarded-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Behind_a_trusted_proxy_each_forwarded_client_has_its_own_login_limit()
    {
        await using var host = await StartAsync("10.0.0.0/8, 127.0.0.0/8");
        var api = new Support.Api(host.Client);
        var email = Support.Api.NewEmail();

        for (var attempt = 0; attempt < LoginsPerMinute; attempt++)
        {
            Expect.Error(await LoginAsync(api, email, "203.0.113.7"), HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        Expect.Error(await LoginAsync(api, email, "203.0.113.7"), HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        Expect.Error(await LoginAsync(api, email, "198.51.100.9"), HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        Expect.Error(await LoginAsync(api, email, "198.51.100.200, 203.0.113.7"), HttpStatusCode.TooManyRequests, "RATE_LIMITED");
    }

    [Fact]
    public async Task From_an_untrusted_peer_a_forwarded_address_is_ignored()
    {
        await using var host = await StartAsync("10.0.0.0/8");
        var api = new Support.Api(host.Client);
        var email = Support.Api.NewEmail();

        for (var attempt = 0; attempt < LoginsPerMinute; attempt++)
        {
            Expect.Error(await LoginAsync(api, email, $"203.0.113.{attempt + 1}"), HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        Expect.Error(await LoginAsync(api, email, "198.51.100.9"), HttpStatusCode.TooManyRequests, "RATE_LIMITED");
    }

    [Fact]
    public async Task With_no_trusted_proxy_a_forwarded_address_never_changes_the_client()
    {
        await using var host = await StartAsync(string.Empty);
        var api = new Support.Api(host.Client);
        var email = Support.Api.NewEmail();

        for (var attempt = 0; attempt < LoginsPerMinute; attempt++)
        {
            Expect.Error(await LoginAsync(api, email, $"203.0.113.{attempt + 1}"), HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        Expect.Error(await LoginAsync(api, email, "198.51.100.9"), HttpStatusCode.TooManyRequests, "RATE_LIMITED");
        for (var attempt = 0; attempt < RegistrationsPerMinute; attempt++)
        {
            Expect.Status(await RegisterAsync(api, $"192.0.2.{attempt + 1}"), HttpStatusCode.Created);
        }

        Expect.Error(await RegisterAsync(api, "192.0.2.200"), HttpStatusCode.TooManyRequests, "RATE_LIMITED");
    }

    [Fact]
    public async Task A_trusted_proxy_list_that_is_not_cidrs_stops_the_start() =>
        await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () => await (await StartAsync("10.0.0.0/8, the vpc")).DisposeAsync());

    private Task<GatewayHost> StartAsync(string trustedProxies)
    {
        var settings = GatewayHost.BaseSettings(_folder);
        settings["Gateway:TrustedProxies"] = trustedProxies;
        settings["RateLimits:LoginPerMinute"] = LoginsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["RateLimits:RegisterPerMinute"] = RegistrationsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return GatewayHost.StartAsync(settings);
    }

    private static Task<Reply> LoginAsync(Support.Api api, string email, string forwardedFor) =>
        api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = email, ["password"] = "wrong password" },
            headers: new Dictionary<string, string> { ["X-Forwarded-For"] = forwardedFor });

    private static Task<Reply> RegisterAsync(Support.Api api, string forwardedFor) =>
        api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", new JsonObject { ["email"] = Support.Api.NewEmail(), ["password"] = Support.Api.Password },
            headers: new Dictionary<string, string> { ["X-Forwarded-For"] = forwardedFor });
}
