using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using UserData.Gateway.Hosting;
using UserData.TestSupport;

namespace UserData.Browser.Tests;

/// <summary>
/// The operator dashboard in a real headless Chromium (Debian's, driven by playwright-core from tests/tools) against
/// the real gateway on a free loopback port with a fresh SQLite file.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private const string AdminEmail = "ops-admin@example.com";
    private const string UserEmail = "someone@example.com";
    private const string Password = "correct horse battery";

    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-browser-").FullName;
    private WebApplication? _gateway;

    private Uri Address => new(_gateway!.Urls.First());

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Sqlite:Path"] = Path.Combine(_folder, "userdata.db"),
            ["Bootstrap:AdminEmails"] = AdminEmail,
            ["Auth:PasswordHasher:IterationCount"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _gateway = await GatewayApplication.CreateAsync(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));
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

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task An_admin_sees_silos_grain_types_and_live_numbers_and_a_user_sees_nothing()
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
            });

        Assert.Contains("step: all checks passed", output, StringComparison.Ordinal);
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 10_000, $"The screenshot is only {png.Length} bytes.");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }
}
