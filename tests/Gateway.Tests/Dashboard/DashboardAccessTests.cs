using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using UserData.Gateway.Dashboard;
using UserData.Gateway.Tests.Support;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Dashboard;

/// <summary>
/// The Orleans Dashboard at /dashboard over real HTTP: every route it maps (read from the running app's endpoints, so a
/// route added by a new package version is covered too) is refused to anonymous and non-admin callers with the error
/// envelope, the browser's sign-in form gives only admins a cookie with the right flags, and sign-out removes it.
/// </summary>
public sealed partial class DashboardAccessTests(DashboardGateway gateway) : IClassFixture<DashboardGateway>
{
    private static readonly string[] PageRoutes = ["/dashboard/", "/dashboard/index.html"];

    [Fact]
    public async Task Every_dashboard_route_refuses_anonymous_and_non_admin_callers_and_opens_to_a_jwt_admin()
    {
        var user = await gateway.Api.RegisterAsync();
        var routes = DashboardRoutes(out var anonymous);
        Assert.Equal(["GET /dashboard/signin", "GET /dashboard/signout", "POST /dashboard/signin", "POST /dashboard/signout"], anonymous);
        Assert.Contains("/dashboard/DashboardCounters", routes);
        Assert.Contains("/dashboard/Trace", routes);
        Assert.Contains("/dashboard/GrainState", routes);

        using var browser = new FormBrowser(gateway.Host.Address);
        foreach (var route in routes)
        {
            var path = Concrete(route);
            var anonymousReply = await browser.GetAsync(path);
            if (PageRoutes.Contains(route))
            {
                Assert.True(anonymousReply.Status == HttpStatusCode.Redirect, $"{path}: {anonymousReply.Status}");
                Assert.Equal(DashboardAuthentication.SignInPath, anonymousReply.Headers.Location?.OriginalString);
            }
            else
            {
                ExpectError(anonymousReply, HttpStatusCode.Unauthorized, "UNAUTHENTICATED", path);
            }

            ExpectError(await browser.GetAsync(path, user.AccessToken), HttpStatusCode.Forbidden, "FORBIDDEN", path);
            if (route != "/dashboard/Trace")
            {
                var asAdmin = await browser.GetAsync(path, gateway.Admin.AccessToken);
                Assert.True(asAdmin.Status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{path} as an admin: {asAdmin.Status}");
            }
        }

        var counters = await browser.GetAsync("/dashboard/DashboardCounters", gateway.Admin.AccessToken);
        Assert.Equal(HttpStatusCode.OK, counters.Status);
        Assert.Equal("Active", JsonNode.Parse(counters.Body)!["hosts"]!.AsArray().Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_admin_signs_in_with_the_form_and_gets_an_HttpOnly_SameSite_Strict_cookie_scoped_to_the_dashboard()
    {
        using var browser = new FormBrowser(gateway.Host.Address);
        var form = await browser.GetAsync(DashboardAuthentication.SignInPath);
        Assert.Equal(HttpStatusCode.OK, form.Status);
        Assert.Equal("text/html; charset=utf-8", form.ContentHeaders.ContentType?.ToString());
        var policy = form.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("default-src 'none'; style-src 'nonce-", policy, StringComparison.Ordinal);
        Assert.Contains("form-action 'self'; frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", form.Body, StringComparison.OrdinalIgnoreCase);
        AssertScopedCookie(form.SetCookie(DashboardAuthentication.AntiforgeryCookieName), secure: false);

        var signedIn = await browser.SubmitAsync(
            DashboardAuthentication.SignInPath, DashboardAuthentication.SignInPath, ("email", DashboardGateway.AdminEmail.ToUpperInvariant()), ("password", Support.Api.Password));

        Assert.Equal(HttpStatusCode.Redirect, signedIn.Status);
        Assert.Equal("/dashboard/", signedIn.Headers.Location?.OriginalString);
        AssertScopedCookie(signedIn.SetCookie(DashboardAuthentication.CookieName), secure: false);
        var page = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("<html", page.Body, StringComparison.OrdinalIgnoreCase);

        // The dashboard gathers the silos' figures on a timer: the first answers after a start may list none yet.
        await Eventually.TrueAsync(async () =>
        {
            var counters = await browser.GetAsync("/dashboard/DashboardCounters");
            Assert.Equal(HttpStatusCode.OK, counters.Status);
            return JsonNode.Parse(counters.Body)!["hosts"]!.AsArray().Count > 0;
        }, because: "the dashboard should list the silo");
    }

    [Fact]
    public async Task A_user_without_the_admin_role_is_refused_with_how_the_role_is_given_and_gets_no_cookie()
    {
        var user = await gateway.Api.RegisterAsync();
        using var browser = new FormBrowser(gateway.Host.Address);

        var refused = await browser.SubmitAsync(DashboardAuthentication.SignInPath, DashboardAuthentication.SignInPath, ("email", user.Email), ("password", Support.Api.Password));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("Bootstrap__AdminEmails", refused.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(refused.SetCookies, header => header.StartsWith(DashboardAuthentication.CookieName + "=", StringComparison.Ordinal));
        ExpectError(await browser.GetAsync("/dashboard/DashboardCounters"), HttpStatusCode.Unauthorized, "UNAUTHENTICATED", "counters");
    }

    [Fact]
    public async Task A_wrong_password_or_a_post_without_the_forms_token_gets_the_form_again_and_no_cookie()
    {
        using var browser = new FormBrowser(gateway.Host.Address);

        var wrong = await browser.SubmitAsync(DashboardAuthentication.SignInPath, DashboardAuthentication.SignInPath, ("email", DashboardGateway.AdminEmail), ("password", "not the password"));
        var forged = await browser.PostAsync(DashboardAuthentication.SignInPath, [("email", DashboardGateway.AdminEmail), ("password", Support.Api.Password)]);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Contains("Invalid email or password", wrong.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
        Assert.Contains("<form id=\"sign-in\"", forged.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(DashboardAuthentication.CookieName, browser.Cookies.Keys);
    }

    [Fact]
    public async Task Sign_out_removes_the_cookie_and_the_page_sends_the_browser_back_to_the_form()
    {
        using var browser = new FormBrowser(gateway.Host.Address);
        await browser.SubmitAsync(DashboardAuthentication.SignInPath, DashboardAuthentication.SignInPath, ("email", DashboardGateway.AdminEmail), ("password", Support.Api.Password));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/ClusterStats")).Status);

        var signedOut = await browser.SubmitAsync(DashboardAuthentication.SignOutPath, DashboardAuthentication.SignOutPath);

        Assert.Equal(HttpStatusCode.OK, signedOut.Status);
        var removal = signedOut.SetCookie(DashboardAuthentication.CookieName);
        Assert.Contains("expires=Thu, 01 Jan 1970", removal, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/dashboard", removal, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(DashboardAuthentication.CookieName, browser.Cookies.Keys);
        ExpectError(await browser.GetAsync("/dashboard/ClusterStats"), HttpStatusCode.Unauthorized, "UNAUTHENTICATED", "stats");
        Assert.Equal(DashboardAuthentication.SignInPath, (await browser.GetAsync("/dashboard")).Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task An_erased_admins_cookie_and_token_no_longer_open_the_dashboard()
    {
        var admin = await gateway.Api.RegisterAsync(DashboardGateway.SecondAdminEmail);
        using var browser = new FormBrowser(gateway.Host.Address);
        await browser.SubmitAsync(DashboardAuthentication.SignInPath, DashboardAuthentication.SignInPath, ("email", admin.Email), ("password", Support.Api.Password));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/DashboardCounters")).Status);

        Expect.Status(await gateway.Api.SendAsync(HttpMethod.Delete, "/api/v1/me", token: admin.AccessToken), HttpStatusCode.NoContent);

        ExpectError(await browser.GetAsync("/dashboard/DashboardCounters"), HttpStatusCode.Unauthorized, "UNAUTHENTICATED", "cookie");
        ExpectError(await browser.GetAsync("/dashboard/DashboardCounters", admin.AccessToken), HttpStatusCode.Unauthorized, "UNAUTHENTICATED", "token");
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_that_ended_tls_the_cookies_are_secure()
    {
        using var folder = new FolderCleanup(Directory.CreateTempSubdirectory("userdata-dashboard-proxied-"));
        var settings = GatewayHost.BaseSettings(folder.Path);
        settings["Gateway:TrustedProxies"] = "127.0.0.0/8";
        await using var host = await GatewayHost.StartAsync(settings);
        await new Support.Api(host.Client).RegisterAsync(DashboardGateway.AdminEmail);
        using var browser = new FormBrowser(host.Address);
        var https = new Dictionary<string, string> { ["X-Forwarded-Proto"] = "https", ["X-Forwarded-For"] = "203.0.113.7" };

        using var formRequest = new HttpRequestMessage(HttpMethod.Get, DashboardAuthentication.SignInPath);
        formRequest.Headers.Add("X-Forwarded-Proto", "https");
        var form = await browser.SendAsync(formRequest);
        var token = TokenValue().Match(form.Body).Groups[1].Value;
        var signedIn = await browser.PostAsync(
            DashboardAuthentication.SignInPath,
            [("email", DashboardGateway.AdminEmail), ("password", Support.Api.Password), ("__RequestVerificationToken", WebUtility.HtmlDecode(token))],
            https);

        AssertScopedCookie(form.SetCookie(DashboardAuthentication.AntiforgeryCookieName), secure: true);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.Status);
        AssertScopedCookie(signedIn.SetCookie(DashboardAuthentication.CookieName), secure: true);
    }

    /// <summary>Every route under /dashboard; the ones open to anonymous callers are returned apart, as "METHOD route".</summary>
    private List<string> DashboardRoutes(out List<string> anonymous)
    {
        var endpoints = gateway.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith(DashboardAuthentication.Path, StringComparison.OrdinalIgnoreCase) == true)
            .ToList();
        anonymous = [.. endpoints
            .Where(endpoint => endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(method => $"{method} {endpoint.RoutePattern.RawText}"))
            .Order(StringComparer.Ordinal)];
        return [.. endpoints.Where(endpoint => endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null).Select(endpoint => endpoint.RoutePattern.RawText!)];
    }

    private static string Concrete(string route) => RouteParameter().Replace(route, "1");

    private static void ExpectError(FormReply reply, HttpStatusCode status, string code, string what)
    {
        Assert.True(reply.Status == status, $"{what}: expected {(int)status}, got {(int)reply.Status}: {reply.Body}");
        var body = JsonNode.Parse(reply.Body)!;
        Assert.Equal(code, body["error"]!["code"]!.GetValue<string>());
        Assert.NotNull(body["meta"]!["request_id"]);
        Assert.Null(body["data"]);
    }

    private static void AssertScopedCookie(string setCookie, bool secure)
    {
        var attributes = setCookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(attribute => attribute.ToLowerInvariant()).ToList();
        Assert.Contains("path=/dashboard", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Equal(secure, attributes.Contains("secure"));
    }

    [GeneratedRegex(@"\{\*{0,2}\w+(:\w+)?\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenValue();

    private sealed class FolderCleanup(DirectoryInfo folder) : IDisposable
    {
        public string Path => folder.FullName;

        public void Dispose() => folder.Delete(recursive: true);
    }
}
