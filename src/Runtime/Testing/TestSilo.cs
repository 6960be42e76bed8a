using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UserData.Runtime.Activations;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Testing;

/// <summary>One silo of a <see cref="TestCluster"/>.</summary>
public sealed class TestSilo : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    internal TestSilo(IHost host)
    {
        _host = host;
    }

    public IServiceProvider Services => _host.Services;

    public IGrainFactory GrainFactory => Services.GetRequiredService<IGrainFactory>();

    /// <summary>Live activations in this silo.</summary>
    public int ActivationCount => Services.GetRequiredService<Catalog>().Count;

    /// <summary>Graceful stop: queued calls finish, every activation deactivates (journaled grains snapshot).</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
