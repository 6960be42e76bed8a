using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserData.Runtime.Activations;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Cluster.Placement;
using UserData.Runtime.Dispatch;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Cluster.Transport;

/// <summary>
/// Sends each call to the grain's owner by the current view: this silo's catalog when it is the owner, else the owner's
/// silo port. Answers meaning "the call did not run here" (refused connection, not owner, unavailable, stale) are
/// retried with a growing back-off, on the view of that moment, a bounded number of times; nothing that may have run
/// is retried.
/// </summary>
internal sealed partial class ClusterCallRouter(
    IClusterMembership membership,
    SiloTransportClient transport,
    IServiceProvider services,
    IOptions<ClusterOptions> options,
    ILogger<ClusterCallRouter> logger) : IGrainCallRouter
{
    private readonly ClusterOptions _options = options.Value;
    private Catalog? _catalog;

    // Resolved on first use: the catalog itself depends on this router.
    private Catalog Catalog => _catalog ??= services.GetRequiredService<Catalog>();

    public Task<TResult> SendAsync<TResult>(GrainId grainId, GrainMethod<TResult> method, object?[] arguments)
    {
        var owner = membership.View.Owner(grainId);
        if (owner is not null && owner.SiloId == membership.LocalSiloId)
        {
            var local = Catalog.SendLocalAsync(grainId, method, arguments);
            if (!local.IsFaulted || local.Exception.InnerException is not (SiloUnavailableException or StaleActivationException))
            {
                return local;
            }
        }

        return SendWithRetriesAsync(grainId, method, arguments);
    }

    /// <summary>Runs a call that arrived on the silo port: here when this silo owns the grain, else forwarded once.</summary>
    public Task<object?> ReceiveAsync(CallRequest call)
    {
        var owner = membership.View.Owner(call.GrainId);
        if (owner is not null && owner.SiloId == membership.LocalSiloId)
        {
            return call.Method.SendBoxedAsync(new LocalSender(Catalog), call.GrainId, call.Arguments);
        }

        if (owner is null || call.Hops > 0)
        {
            throw new NotOwnerException($"Silo {membership.LocalSiloId} does not own {call.GrainId} and the call was already forwarded.");
        }

        LogForwarding(logger, call.GrainId, owner.Address);
        return call.Method.SendBoxedAsync(new RemoteSender(transport, owner, call.Hops + 1), call.GrainId, call.Arguments);
    }

    private async Task<TResult> SendWithRetriesAsync<TResult>(GrainId grainId, GrainMethod<TResult> method, object?[] arguments)
    {
        var backoff = _options.RetryBackoff;
        for (var attempt = 1; ; attempt++)
        {
            var owner = membership.View.Owner(grainId);
            try
            {
                if (owner is null)
                {
                    throw new SiloUnavailableException($"No active silo can take {grainId}.");
                }

                return owner.SiloId == membership.LocalSiloId
                    ? await Catalog.SendLocalAsync(grainId, method, arguments).ConfigureAwait(false)
                    : await transport.SendAsync<TResult>(owner, grainId, method, arguments, hops: 0).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is SiloUnavailableException or StaleActivationException && attempt < _options.MaxCallAttempts)
            {
                LogRetrying(logger, grainId, method.Name, attempt, owner?.Address, exception.Message);
            }

            await Task.Delay(backoff).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.RetryBackoff.Ticks * 8));
        }
    }

    private sealed class LocalSender(Catalog catalog) : IGrainCallSender
    {
        public Task<TResult> SendAsync<TResult>(GrainId grainId, GrainMethod<TResult> method, object?[] arguments) =>
            catalog.SendLocalAsync(grainId, method, arguments);
    }

    private sealed class RemoteSender(SiloTransportClient transport, SiloEndpoint silo, int hops) : IGrainCallSender
    {
        public Task<TResult> SendAsync<TResult>(GrainId grainId, GrainMethod<TResult> method, object?[] arguments) =>
            transport.SendAsync<TResult>(silo, grainId, method, arguments, hops);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Forwarding {GrainId} to its owner {Address}")]
    private static partial void LogForwarding(ILogger logger, GrainId grainId, string address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retrying {GrainId}.{Method} (attempt {Attempt}, owner {Address}): {Reason}")]
    private static partial void LogRetrying(ILogger logger, GrainId grainId, string method, int attempt, string? address, string reason);
}

/// <summary>The receiving silo does not own the grain (by its view) and may not forward again.</summary>
internal sealed class NotOwnerException(string message) : Exception(message);
