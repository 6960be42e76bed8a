using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using UserData.Gateway.Hosting;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Support;

/// <summary>
/// The real gateway (Kestrel on a free loopback port, the real pipeline, the real journal store) started
/// in this process. Stopping and starting another on the same data folder is a restart.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    /// <summary>A fixed test key, so tests can forge tokens with it (and with other keys).</summary>
    public static readonly byte[] SigningKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    /// <summary>A fixed email key, so tests can find an email's grain in storage.</summary>
    public static readonly byte[] EmailKey = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Settings every test host uses: its own silo ports, fast password hashing, generous limits, quiet logs.</summary>
    public static Dictionary<string, string?> BaseSettings(string dataFolder) => new()
    {
        ["Storage:Sqlite:Path"] = Path.Combine(dataFolder, "userdata.db"),
        ["Cluster:SiloPort"] = LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Cluster:GatewayPort"] = LoopbackPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Auth:SigningKey"] = Convert.ToBase64String(SigningKey),
        ["Auth:EmailKey"] = Convert.ToBase64String(EmailKey),
        ["Auth:PasswordHasher:IterationCount"] = "1000",
        ["RateLimits:LoginPerMinute"] = "100000",
        ["RateLimits:RegisterPerMinute"] = "100000",
        ["RateLimits:UserRequestsPerSecond"] = "100000",
        ["Bootstrap:AdminEmails"] = "admin@example.com,operator@example.com",
        ["FRONTEND_URL"] = "https://app.example.com, https://admin.example.com",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    public static async Task<GatewayHost> StartAsync(IReadOnlyDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null)
    {
        var app = await GatewayApplication.CreateAsync(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new GatewayHost(app, new Uri(app.Urls.First()));
    }

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
