using System.Net;
using UserData.Gateway.Dashboard;
using UserData.Gateway.Tests.Dashboard;
using UserData.Gateway.Tests.Support;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.DataProtection;

/// <summary>
/// Several gateways behind one load balancer share the Data Protection keys that protect the dashboard's sign-in cookie
/// and antiforgery token, through the store they share. Each gateway is a process of its own with a home folder of its
/// own, as each ECS task has its own file system, so nothing is shared but the store.
/// </summary>
public sealed class SharedKeyRingTests
{
    private const string AdminEmail = "admin@example.com";

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("DynamoDB")]
    public async Task A_dashboard_sign_in_made_through_one_gateway_is_accepted_by_another_and_after_every_gateway_restarted(string storage)
    {
        var data = Directory.CreateTempSubdirectory("userdata-keyring-").FullName;
        var store = storage == "DynamoDB"
            ? DynamoDbGateway.DynamoDbSettings(new Dictionary<string, string?>(), (await DynamoDbLocal.Shared).ServiceUrl)
            : new Dictionary<string, string?>();
        try
        {
            await using var first = await StartGatewayAsync(data, store);
            await using var second = await StartGatewayAsync(data, store);
            using var http = new HttpClient { BaseAddress = first.Address };
            await new Support.Api(http).RegisterAsync(AdminEmail);

            // The form and its antiforgery token come from the first gateway; the second checks the token and signs in.
            using var browser = new FormBrowser(first.Address);
            var signedIn = await browser.SubmitAsync(
                DashboardAuthentication.SignInPath, Absolute(second, DashboardAuthentication.SignInPath), ("email", AdminEmail), ("password", Support.Api.Password));
            Assert.True(signedIn.Status == HttpStatusCode.Redirect, $"{signedIn.Status}: {signedIn.Body}");
            Assert.Contains(DashboardAuthentication.CookieName, browser.Cookies.Keys);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(Absolute(first, "/dashboard/DashboardCounters"))).Status);

            await StopAsync(first);
            await StopAsync(second);
            await using var restarted = await StartGatewayAsync(data, store);
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(Absolute(restarted, "/dashboard/DashboardCounters"))).Status);

            // Data Protection loads the key ring while the host starts, once the co-hosted silo it reads it through is up.
            foreach (var gateway in new[] { first, second, restarted })
            {
                Assert.Contains("was loaded during application startup", gateway.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("error occurred while reading the key ring", gateway.Output, StringComparison.OrdinalIgnoreCase);
            }

            await StopAsync(restarted);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<HostProcess> StartGatewayAsync(string data, Dictionary<string, string?> store)
    {
        var settings = GatewayHost.BaseSettings(data);
        foreach (var (key, value) in store)
        {
            settings[key] = value;
        }

        settings["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Debug";
        var environment = settings.ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value ?? "");
        environment["HOME"] = Directory.CreateDirectory(Path.Combine(data, $"home-{Guid.NewGuid():N}")).FullName;
        return await HostProcess.StartAsync("UserData.Gateway.dll", environment);
    }

    private static async Task StopAsync(HostProcess gateway)
    {
        await gateway.TerminateAsync();
        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    private static string Absolute(HostProcess gateway, string path) => new Uri(gateway.Address, path).ToString();
}
