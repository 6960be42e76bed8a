using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserData.Runtime.Diagnostics;
using UserData.Runtime.Dispatch;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;

namespace UserData.Runtime.Activations;

/// <summary>
/// The silo's activations, at most one per grain: hands out references, routes each call to the
/// grain's activation (creating it on first use), and retries a call once when its activation was stale.
/// </summary>
internal sealed class Catalog(
    GrainTypeRegistry registry,
    IOptions<GrainRuntimeOptions> options,
    IServiceProvider services,
    ILogger<Catalog> logger,
    IGrainCallRouter? router = null) : IGrainFactory, IGrainCallSender
{
    // Re-routes of a call whose activation went away under it; far above what any real interleaving needs.
    private const int MaxReroutes = 16;

    private readonly ConcurrentDictionary<GrainId, Activation> _activations = new();
    private volatile bool _stopping;
    private IGrainCallSender? _instrumentedSender;
    private volatile bool _paused;

    public GrainRuntimeOptions Options { get; } = options.Value;

    public IServiceProvider Services { get; } = services;

    public ILogger Logger { get; } = logger;

    public int Count => _activations.Count;

    /// <summary>True once shutdown began: no new activations are taken.</summary>
    public bool IsStopping => _stopping;

    public IEnumerable<Activation> Activations => _activations.Values;

    public TGrainInterface GetGrain<TGrainInterface>(string key)
        where TGrainInterface : class, IGrain
    {
        var grainInterface = registry.GetInterface(typeof(TGrainInterface));
        var grainId = new GrainId(grainInterface.GrainType, key);
        var reference = System.Reflection.DispatchProxy.Create<TGrainInterface, GrainProxy>();
        ((GrainProxy)(object)reference).Attach(grainId, grainInterface, _instrumentedSender ??= Services.GetRequiredService<RuntimeMetrics>().Instrument(this));
        return reference;
    }

    public Task<TResult> SendAsync<TResult>(GrainId grainId, GrainMethod<TResult> method, object?[] arguments) =>
        router is null ? SendLocalAsync(grainId, method, arguments) : router.SendAsync(grainId, method, arguments);

    /// <summary>Runs the call on this silo's activation of the grain, creating it if needed.</summary>
    public Task<TResult> SendLocalAsync<TResult>(GrainId grainId, GrainMethod<TResult> method, object?[] arguments)
    {
        try
        {
            var activation = GetOrCreate(grainId);
            var call = new GrainCall<TResult>(method, arguments);
            var accepted = activation.TryEnqueue(call);
            return accepted && call.Result.IsCompletedSuccessfully
                ? call.Result
                : AwaitAsync(grainId, method, arguments, activation, call, accepted);
        }
        catch (Exception exception) when (exception is GrainOverloadedException or SiloUnavailableException or ArgumentException)
        {
            // A rejected call is a faulted task, like any other failed call.
            return Task.FromException<TResult>(exception);
        }
    }

    private async Task<TResult> AwaitAsync<TResult>(
        GrainId grainId, GrainMethod<TResult> method, object?[] arguments, Activation activation, GrainCall<TResult> call, bool accepted)
    {
        var staleRetried = false;
        for (var reroutes = 0; ; reroutes++)
        {
            if (accepted)
            {
                try
                {
                    return await WithTimeout(call.Result, grainId, method).ConfigureAwait(false);
                }
                catch (StaleActivationException) when (!staleRetried)
                {
                    staleRetried = true;
                    Logger.LogInformation("Retrying {GrainId}.{Method} on a fresh activation after a stale one", grainId, method.Name);
                }
                catch (ActivationDeactivatedException) when (reroutes < MaxReroutes)
                {
                }
            }

            if (reroutes >= MaxReroutes)
            {
                throw new SiloUnavailableException($"Grain {grainId} kept deactivating; the call to {method.Name} was not run.");
            }

            await activation.WhenDeactivated.ConfigureAwait(false);
            activation = GetOrCreate(grainId);
            call = new GrainCall<TResult>(method, arguments);
            accepted = activation.TryEnqueue(call);
        }
    }

    private async Task<TResult> WithTimeout<TResult>(Task<TResult> result, GrainId grainId, GrainMethod method)
    {
        try
        {
            return await result.WaitAsync(Options.ResponseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException exception) when (!result.IsCompleted)
        {
            throw new GrainCallTimeoutException(
                $"Grain {grainId} did not answer {method.Name} within {Options.ResponseTimeout.TotalSeconds:0.###} s.", exception);
        }
    }

    private Activation GetOrCreate(GrainId grainId)
    {
        if (_activations.TryGetValue(grainId, out var existing))
        {
            return existing;
        }

        if (_stopping || _paused)
        {
            throw new SiloUnavailableException($"The silo is {(_stopping ? "shutting down" : "fenced")} and takes no new activation of {grainId}.");
        }

        var created = new Activation(grainId, registry.GetClass(grainId.Type), this);
        var winner = _activations.GetOrAdd(grainId, created);
        if (ReferenceEquals(winner, created))
        {
            _ = created.ActivateAsync();
        }

        return winner;
    }

    /// <summary>Hands calls queued on a departed activation, in order, to the grain's next activation.</summary>
    public void Forward(GrainId grainId, List<WorkItem> queued)
    {
        if (queued.Count == 0)
        {
            return;
        }

        Activation next;
        try
        {
            next = GetOrCreate(grainId);
        }
        catch (SiloUnavailableException stopping)
        {
            queued.ForEach(item => item.Reject(stopping));
            return;
        }

        foreach (var item in queued)
        {
            try
            {
                if (!next.TryEnqueue(item))
                {
                    item.Reject(new ActivationDeactivatedException());
                }
            }
            catch (GrainOverloadedException overloaded)
            {
                item.Reject(overloaded);
            }
        }
    }

    public void Remove(Activation activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, Activation>(activation.GrainId, activation));

    /// <summary>Asks every activation whose grain matches <paramref name="predicate"/> to deactivate (after its running turn).</summary>
    public int DeactivateWhere(Func<GrainId, bool> predicate)
    {
        var count = 0;
        foreach (var activation in _activations.Values.Where(activation => predicate(activation.GrainId)))
        {
            activation.RequestDeactivation(DeactivationReason.Requested);
            count++;
        }

        return count;
    }

    /// <summary>Deactivates every activation unused since <paramref name="idleSince"/> (ticks of <see cref="Environment.TickCount64"/>).</summary>
    public int CollectIdle(long idleSince) => _activations.Values.Count(activation => activation.TryCollect(idleSince));

    /// <summary>Takes no new activations, lets queued calls finish, then deactivates everything.</summary>
    public Task DeactivateAllAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        return DeactivateEverythingAsync(cancellationToken);
    }

    /// <summary>
    /// Deactivates everything and takes no new activations until <see cref="Resume"/>: a silo that lost its membership
    /// lease stops serving grains (calls fail with the retryable <see cref="SiloUnavailableException"/>).
    /// </summary>
    public Task PauseAsync(CancellationToken cancellationToken)
    {
        _paused = true;
        return DeactivateEverythingAsync(cancellationToken);
    }

    public void Resume() => _paused = false;

    private async Task DeactivateEverythingAsync(CancellationToken cancellationToken)
    {
        // Repeats because a call that passed the stopping check just before it was set may still add one; a pause that
        // was lifted meanwhile (the lease renewed) stops it, so the silo's new activations are left to serve.
        while ((_stopping || _paused) && _activations.Values.ToList() is { Count: > 0 } all)
        {
            foreach (var activation in all)
            {
                activation.RequestDeactivation(DeactivationReason.ShuttingDown);
            }

            await Task.WhenAll(all.Select(activation => activation.WhenDeactivated)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
