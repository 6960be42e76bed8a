using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using UserData.Gateway.Hosting;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Metrics;

/// <summary>
/// The real gateway on a free loopback port with <see cref="GatewayHost.BaseSettings"/>.
/// </summary>
public sealed class OpsGateway : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-ops-").FullName;
    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;

    public Support.Api Api { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Settings on top of the base ones (storage, for instance); set before the fixture starts.</summary>
    public static Task<WebApplication> CreateAsync(IReadOnlyDictionary<string, string?> settings) =>
        GatewayApplication.CreateAsync(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(settings));

    public async Task InitializeAsync()
    {
        _app = await CreateAsync(GatewayHost.BaseSettings(_folder));
        await _app.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };
        Api = new Support.Api(Client);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }
}
