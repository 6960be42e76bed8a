using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using UserData.Gateway.Hosting;
using UserData.TestSupport;
using UserData.TestSupport.Tls;

namespace UserData.Browser.Tests;

/// <summary>
/// The Orleans Dashboard at /dashboard in a real headless Chromium (Debian's, driven by playwright-core from
/// tests/tools) against a two-silo cluster on DynamoDB Local with mutual TLS, as on ECS: the real gateway in this
/// process co-hosting a silo, and a <c>src/Silo</c> process; the page must list both silos.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private const string AdminEmail = "ops-admin@example.com";
    private const string UserEmail = "someone@example.com";
    private const int Silos = 2;

    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-browser-").FullName;
    private TestCertificateAuthority? _authority;
    private HostProcess? _silo;
    private WebApplication? _gateway;

    private Uri Address => new(_gateway!.Urls.First());

    public async Task InitializeAsync()
    {
        var dynamoDB = await DynamoDbLocal.Shared;
        _authority = TestCertificateAuthority.Create("dashboard-ca", _folder);
        var tablePrefix = DynamoDbLocal.NewTablePrefix();
        _silo = await HostProcess.StartAsync(
            "UserData.Silo.dll", ClusterProcessSettings.Member(dynamoDB.ServiceUrl, tablePrefix, "dashboard", _authority.Issue("silo")));

        var settings = ClusterProcessSettings.Member(dynamoDB.ServiceUrl, tablePrefix, "dashboard", _authority.Issue("gateway")).AsGateway(AdminEmail)
            .ToDictionary(pair => pair.Key.Replace("__", ":", StringComparison.Ordinal), pair => (string?)pair.Value);
        _gateway = await GatewayApplication.CreateAsync(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));
        await _gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = Address };
        foreach (var email in new[] { AdminEmail, UserEmail })
        {
            using var registered = await client.PostAsJsonAsync(
                new Uri("/api/v1/auth/register", UriKind.Relative), new { email, password = ClusterProcessSettings.Password });
            registered.EnsureSuccessStatusCode();
        }
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            await _gateway.DisposeAsync();
        }

        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _authority?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task An_admin_sees_silos_grain_types_and_live_counters_and_a_user_and_an_anonymous_browser_see_no_data()
    {
        var chromium = await BrowserTools.EnsureInstalledAsync();
        var screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);

        var output = await BrowserTools.RunAsync(
            "node",
            [Path.Combine(RepositoryRoot.Path, "tests", "Browser.Tests", "dashboard-check.js")],
            TimeSpan.FromMinutes(3),
            TestTools.Folder,
            "the dashboard browser check",
            new Dictionary<string, string>
            {
                ["CHROMIUM"] = chromium,
                ["BASE_URL"] = Address.ToString().TrimEnd('/'),
                ["ADMIN_EMAIL"] = AdminEmail,
                ["ADMIN_PASSWORD"] = ClusterProcessSettings.Password,
                ["USER_EMAIL"] = UserEmail,
                ["USER_PASSWORD"] = ClusterProcessSettings.Password,
                ["SCREENSHOT"] = screenshot,
                ["TOOLS_DIR"] = TestTools.Folder,
                ["MIN_SILOS"] = Silos.ToString(CultureInfo.InvariantCulture),
            });

        Assert.Contains("step: all checks passed", output, StringComparison.Ordinal);
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 10_000, $"The screenshot is only {png.Length} bytes.");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }
}
