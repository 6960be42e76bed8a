using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using UserData.Gateway.Hosting;
using UserData.TestSupport;

namespace UserData.Browser.Tests;

/// <summary>
/// The frontend flow of tests/tools/client, compiled against the types generated from the served OpenAPI document,
/// run in a real headless Chromium against the real gateway (in this process, on SQLite, on a free loopback port):
/// register, login, tasks (with Idempotency-Key and If-Match), results. Then GET /api/v1/me tried from /docs.
/// </summary>
public sealed class ClientFlowBrowserTests : IAsyncLifetime
{
    private const string Password = "correct horse battery";

    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-client-flow-").FullName;
    private WebApplication? _gateway;

    private Uri Address => new(_gateway!.Urls.First());

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Sqlite:Path"] = Path.Combine(_folder, "userdata.db"),
            ["Auth:SigningKey"] = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()),
            ["Auth:EmailKey"] = Convert.ToBase64String(Enumerable.Range(33, 32).Select(i => (byte)i).ToArray()),
            ["Auth:PasswordHasher:IterationCount"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _gateway = await GatewayApplication.CreateAsync(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));
        await _gateway.StartAsync();
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
    public async Task The_generated_client_flow_runs_in_chromium_against_the_server_and_docs_can_try_a_me_route()
    {
        await BrowserTools.EnsureInstalledAsync();
        using var http = new HttpClient { BaseAddress = Address };
        using var client = await TypeScriptClient.BuildAsync(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var profile = Directory.CreateDirectory(Path.Combine(_folder, "chromium-profile")).FullName;

        var output = await BrowserTools.RunAsync(
            "node",
            [Path.Combine(RepositoryRoot.Path, "tests", "Browser.Tests", "client-flow-check.js")],
            TimeSpan.FromMinutes(3),
            TestTools.Folder,
            "the client flow in the browser",
            new Dictionary<string, string>
            {
                ["BASE_URL"] = Address.ToString().TrimEnd('/'),
                ["FLOW_DIR"] = client.RunFolder,
                ["TOOLS_DIR"] = TestTools.Folder,
                ["PROFILE_DIR"] = profile,
                ["EMAIL"] = $"flow-{Guid.NewGuid():N}@example.com",
                ["PASSWORD"] = Password,
            });

        Assert.Contains("step: all checks passed", output, StringComparison.Ordinal);
        var line = output.Split('\n').Single(line => line.StartsWith("report: ", StringComparison.Ordinal));
        using var report = JsonDocument.Parse(line["report: ".Length..]);
        var root = report.RootElement;
        Assert.Equal(3, root.GetProperty("tasks").GetInt32());
        Assert.Equal(["Buy milk", "Write report"], root.GetProperty("todo").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal(["registered", "logged in", "created tasks", "listed tasks", "updated tasks", "generated results"], root.GetProperty("steps").EnumerateArray().Select(step => step.GetString()));
        Assert.Equal(0.6667, root.GetProperty("completionRate").GetDouble());
    }
}
