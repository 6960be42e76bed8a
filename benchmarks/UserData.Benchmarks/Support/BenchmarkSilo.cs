using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UserData.Silo.Hosting;
using UserData.Silo.Telemetry;

namespace UserData.Benchmarks.Support;

/// <summary>
/// The product's silo in this process, built as the silo process builds it (<c>AddUserDataSiloAsync</c> and
/// <c>AddUserDataTelemetry</c>: localhost clustering, the SQLite journal and grain storage, the grain-call metrics
/// filter, the dashboard's services), on an SQLite file of the caller's. Its <see cref="Grains"/> is the factory a
/// co-hosting gateway calls through, so a call from a benchmark is a local call.
/// </summary>
internal sealed class BenchmarkSilo : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BenchmarkSilo(WebApplication app) => _app = app;

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    /// <param name="databasePath">The SQLite file (created when missing).</param>
    /// <param name="configureServices">Runs after the product's registrations, so it can override provider options.</param>
    public static async Task<BenchmarkSilo> StartAsync(string databasePath, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:ClusterId"] = "benchmarks",
            ["Cluster:SiloPort"] = FreePort(),
            ["Cluster:GatewayPort"] = FreePort(),
            ["Storage:Sqlite:Path"] = databasePath,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await builder.AddUserDataSiloAsync().ConfigureAwait(false);
        builder.AddUserDataTelemetry();
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        await app.StartAsync().ConfigureAwait(false);
        return new BenchmarkSilo(app);
    }

    /// <summary>Stops the silo gracefully: activations deactivate (journaled ones write their deactivation snapshot).</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static string FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
