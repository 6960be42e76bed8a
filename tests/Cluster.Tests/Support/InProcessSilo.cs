using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using UserData.Cluster.Tests.Grains;
using UserData.Runtime.Cluster.Membership;
using UserData.Silo.Hosting;

using UserData.TestSupport;

namespace UserData.Cluster.Tests.Support;

/// <summary>The real silo host with the test grain, in this process, on free loopback ports.</summary>
public sealed class InProcessSilo : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _disposed;

    private InProcessSilo(WebApplication app, int httpPort, int siloPort)
    {
        _app = app;
        HttpPort = httpPort;
        SiloPort = siloPort;
    }

    public int HttpPort { get; }

    public int SiloPort { get; }

    public IClusterMembership Membership => _app.Services.GetRequiredService<IClusterMembership>();

    /// <param name="settings">More <c>--key=value</c> arguments, after (so overriding) the environment's.</param>
    public static async Task<InProcessSilo> StartAsync(ClusterEnvironment environment, params string[] settings)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var httpPort = LoopbackPort.Next();
        var siloPort = LoopbackPort.Next();
        var app = await SiloHost.BuildAsync([.. environment.SiloArguments(httpPort, siloPort), .. settings], grains => grains.AddGrain<ILedgerGrain, LedgerGrain>());
        await app.StartAsync();
        return new InProcessSilo(app, httpPort, siloPort);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
