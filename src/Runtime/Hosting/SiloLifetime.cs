using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserData.Runtime.Activations;

namespace UserData.Runtime.Hosting;

/// <summary>Collects idle activations while the silo runs, and deactivates all of them (snapshots included) when it stops.</summary>
internal sealed partial class SiloLifetime(Catalog catalog, IOptions<GrainRuntimeOptions> options, ILogger<SiloLifetime> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CollectionQuantum);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var idleSince = Environment.TickCount64 - (long)options.Value.CollectionAge.TotalMilliseconds;
                var collected = catalog.CollectIdle(idleSince);
                if (collected > 0)
                {
                    LogCollected(logger, collected);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        var count = catalog.Count;
        await catalog.DeactivateAllAsync(cancellationToken).ConfigureAwait(false);
        LogStopped(logger, count);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Collected {Count} idle activations")]
    private static partial void LogCollected(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deactivated {Count} activations at shutdown")]
    private static partial void LogStopped(ILogger logger, int count);
}
