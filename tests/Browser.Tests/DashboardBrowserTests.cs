using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using UserData.Gateway.Hosting;
using UserData.TestSupport;

namespace UserData.Browser.Tests;

/// <summary>
/// The operator dashboard in a real headless Chromium (Debian's, driven by playwright-core from tests/tools) against a
/// two-silo cluster on dynalite: the real gateway in this process, co-hosting a silo, on a free loopback port, and a
/// silo process (<c>dotnet UserData.Silo.dll</c>).
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private const string AdminEmail = "ops-admin@example.com";
    private const string UserEmail = "someone@example.com";
    private const string Password = "correct horse battery";

    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-browser-").FullName;
    private DynaliteServer? _dynalite;
    private HostProcess? _silo;
    private WebApplication? _gateway;

    private Uri Address => new(_gateway!.Urls.First());

    public async Task InitializeAsync()
    {
        _dynalite = await DynaliteServer.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "DynamoDB",
            ["Storage__DynamoDB__ServiceUrl"] = _dynalite.ServiceUrl,
            ["Storage__DynamoDB__TablePrefix"] = $"t{Guid.NewGuid():N}-",
            ["Cluster__Provider"] = "DynamoDB",
            ["Cluster__Secret"] = "browser-tests-secret-0123456789",
            ["Cluster__AdvertisedAddress"] = "127.0.0.1",
            ["Cluster__HeartbeatInterval"] = "00:00:01",
            ["Auth__SigningKey"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
            ["Auth__EmailKey"] = Convert.ToBase64String(Enumerable.Range(33, 32).Select(i => (byte)i).ToArray()),
            ["Bootstrap__AdminEmails"] = AdminEmail,
            ["Auth__PasswordHasher__IterationCount"] = "1000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        _silo = await HostProcess.StartAsync("UserData.Silo.dll", new Dictionary<string, string>(settings) { ["Cluster__SiloPort"] = $"{LoopbackPort.Next()}" }, _folder);
        var gatewaySettings = settings.ToDictionary(pair => pair.Key.Replace("__", ":", StringComparison.Ordinal), pair => (string?)pair.Value);
        gatewaySettings["Cluster:SiloPort"] = $"{LoopbackPort.Next()}";
        _gateway = await GatewayApplication.CreateAsync(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(gatewaySettings));
        await _gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = Address };
        foreach (var email in new[] { AdminEmail, UserEmail })
        {
            using var registered = await client.PostAsJsonAsync(new Uri("/api/v1/auth/register", UriKind.Relative), new { email, password = Password });
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

        if (_dynalite is not null)
        {
            await _dynalite.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task An_admin_sees_both_silos_grain_types_and_live_numbers_and_a_user_sees_nothing()
    {
        await BrowserTools.EnsureInstalledAsync();
        var screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        var profile = Directory.CreateDirectory(Path.Combine(_folder, "chromium-profile")).FullName;

        var output = await BrowserTools.RunAsync(
            "node",
            [Path.Combine(RepositoryRoot.Path, "tests", "Browser.Tests", "dashboard-check.js")],
            TimeSpan.FromMinutes(3),
            BrowserTools.ToolsFolder,
            "the dashboard browser check",
            new Dictionary<string, string>
            {
                ["BASE_URL"] = Address.ToString().TrimEnd('/'),
                ["ADMIN_EMAIL"] = AdminEmail,
                ["ADMIN_PASSWORD"] = Password,
                ["USER_EMAIL"] = UserEmail,
                ["USER_PASSWORD"] = Password,
                ["SCREENSHOT"] = screenshot,
                ["TOOLS_DIR"] = BrowserTools.ToolsFolder,
                ["PROFILE_DIR"] = profile,
                ["MIN_SILOS"] = "2",
            });

        Assert.Contains("step: all checks passed", output, StringComparison.Ordinal);
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 10_000, $"The screenshot is only {png.Length} bytes.");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }
}
