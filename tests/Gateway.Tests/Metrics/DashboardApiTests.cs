using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Metrics;

/// <summary>The dashboard's data endpoint: admin only, and its numbers come from real traffic.</summary>
public sealed class DashboardApiTests(OpsGateway fixture) : IClassFixture<OpsGateway>
{
    private const string Snapshot = "/api/v1/admin/dashboard/snapshot";

    private Support.Api Api => fixture.Api;

    [Fact]
    public async Task Without_a_token_it_is_401_and_for_a_user_403()
    {
        var user = await Api.RegisterAsync();

        Expect.Error(await Api.GetAsync(Snapshot, token: null), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        Expect.Error(await Api.GetAsync(Snapshot, user.AccessToken), HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Fact]
    public async Task An_admin_gets_silos_grain_types_methods_storage_and_http_statuses()
    {
        var admin = await Api.RegisterAsync("admin@example.com");
        var user = await Api.RegisterAsync();
        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = "x" }, user.AccessToken), HttpStatusCode.Created);

        var reply = await Api.GetAsync(Snapshot, admin.AccessToken);

        Expect.Status(reply, HttpStatusCode.OK);
        var data = reply.Data;
        var silo = data["silos"]!.AsArray().Single()!;
        Assert.Equal("Active", silo["status"]!.GetValue<string>());
        Assert.True(silo["activations"]!.GetValue<long>() >= 1);
        Assert.InRange(silo["cpu_percent_of_machine"]!.GetValue<double>(), 0, 100);
        Assert.True(silo["working_set_bytes"]!.GetValue<long>() > 0);
        Assert.True(silo["gc_heap_bytes"]!.GetValue<long>() > 0);
        Assert.Contains(data["grain_types"]!.AsArray(), type => type!["grain_type"]!.GetValue<string>() == "user" && type["activations"]!.GetValue<long>() >= 1);
        var bounds = data["latency_bounds"]!.AsArray().Count;
        var create = data["grain_methods"]!.AsArray().Single(m => m!["group"]!.GetValue<string>() == "user" && m["name"]!.GetValue<string>() == "CreateTaskAsync")!;
        Assert.True(create["calls"]!.GetValue<long>() >= 1);
        Assert.Equal(bounds + 1, create["buckets"]!.AsArray().Count);
        Assert.Equal(create["calls"]!.GetValue<long>(), create["buckets"]!.AsArray().Sum(bucket => bucket!.GetValue<long>()));
        Assert.Contains(data["storage"]!.AsArray(), s => s!["group"]!.GetValue<string>() == "sqlite" && s["name"]!.GetValue<string>() == "append");
        Assert.Contains(data["http"]!.AsArray(), s => s!["status"]!.GetValue<string>() == "201" && s["requests"]!.GetValue<long>() >= 1);
        Assert.Equal("no-store", reply.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task The_page_and_its_files_are_served_with_a_strict_content_security_policy()
    {
        using var page = await fixture.Client.GetAsync(new Uri("/dashboard", UriKind.Relative));
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        foreach (var file in new[] { "/dashboard/dashboard.js", "/dashboard/dashboard.css" })
        {
            using var response = await fixture.Client.GetAsync(new Uri(file, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
