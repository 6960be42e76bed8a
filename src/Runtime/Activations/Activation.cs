using Microsoft.Extensions.Logging;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;

namespace UserData.Runtime.Activations;

/// <summary>
/// The one live instance of a grain in this silo. Runs one turn at a time in arrival order (several
/// read-only turns together), queues the rest up to a bound, and owns activation and deactivation.
/// </summary>
internal sealed partial class Activation : IGrainContext
{
    private readonly Lock _lock = new();
    private readonly Catalog _catalog;
    private Queue<WorkItem>? _queue;
    private ActivationState _state = ActivationState.Activating;
    private int _running = 1; // the activation itself is the first turn
    private bool _runningReadOnly;
    private DeactivationReason? _pendingDeactivation;
    private long _lastActiveTicks = Environment.TickCount64;
    private TaskCompletionSource? _deactivated;
    private Grain? _grain;

    public Activation(GrainId grainId, GrainClass grainClass, Catalog catalog)
    {
        GrainId = grainId;
        GrainClass = grainClass;
        _catalog = catalog;
    }

    public GrainId GrainId { get; }

    public GrainClass GrainClass { get; }

    public IGrainFactory GrainFactory => _catalog;

    public IServiceProvider Services => _catalog.Services;

    private GrainRuntimeOptions Options => _catalog.Options;

    /// <summary>Completes once this activation has left the catalog.</summary>
    public Task WhenDeactivated
    {
        get
        {
            lock (_lock)
            {
                return _state == ActivationState.Deactivated
                    ? Task.CompletedTask
                    : (_deactivated ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

    public int QueueLength
    {
        get
        {
            lock (_lock)
            {
                return _queue?.Count ?? 0;
            }
        }
    }

    /// <summary>Creates the grain and runs <see cref="Grain.OnActivateAsync"/>; calls queue meanwhile.</summary>
    public async Task ActivateAsync()
    {
        try
        {
            _grain = GrainClass.Create(Services);
            _grain.Context = this;
            using var timeout = new CancellationTokenSource(Options.ActivationTimeout);
            await _grain.OnActivateAsync(timeout.Token).WaitAsync(Options.ActivationTimeout).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed activation fails its waiting calls; it must not crash the silo.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogActivationFailed(_catalog.Logger, exception, GrainId);
            Close(new GrainActivationException($"Activation of grain {GrainId} failed: {exception.Message}", exception));
            return;
        }

        EndTurn(null, null);
    }

    /// <summary>Accepts a call: runs it now if the activation is free, else queues it. False when this activation is going away.</summary>
    /// <exception cref="GrainOverloadedException">The queue is at its limit.</exception>
    public bool TryEnqueue(WorkItem item)
    {
        lock (_lock)
        {
            if (_state is ActivationState.Deactivating or ActivationState.Deactivated
                || _pendingDeactivation == DeactivationReason.ShuttingDown)
            {
                return false;
            }

            item.Activation = this;
            if (_state == ActivationState.Active && CanStartNow(item))
            {
                _runningReadOnly = _running == 0 ? item.IsReadOnly : _runningReadOnly;
                _running++;
            }
            else
            {
                _queue ??= new Queue<WorkItem>();
                if (_queue.Count >= Options.MaxQueueLength)
                {
                    throw new GrainOverloadedException(GrainId, Options.MaxQueueLength);
                }

                _queue.Enqueue(item);
                return true;
            }
        }

        RunTurn(item);
        return true;
    }

    /// <summary>Runs a turn on the current thread until the grain code first yields.</summary>
    public void RunTurn(WorkItem item)
    {
        var turn = item.Run(_grain!);
        if (turn.IsCompleted)
        {
            EndTurn(item, turn);
        }
        else
        {
            turn.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() => EndTurn(item, turn));
        }
    }

    /// <summary>Deactivates now if idle since <paramref name="cutoffTicks"/>; returns whether it started.</summary>
    public bool TryCollect(long cutoffTicks)
    {
        lock (_lock)
        {
            if (_state != ActivationState.Active || _running > 0 || _queue is { Count: > 0 } || _lastActiveTicks > cutoffTicks)
            {
                return false;
            }

            _state = ActivationState.Deactivating;
        }

        _ = DeactivateAsync(DeactivationReason.Idle);
        return true;
    }

    public void RequestDeactivation(DeactivationReason reason)
    {
        lock (_lock)
        {
            if (_state is ActivationState.Deactivating or ActivationState.Deactivated)
            {
                return;
            }

            if (_state == ActivationState.Activating || _running > 0 || _queue is { Count: > 0 })
            {
                _pendingDeactivation = Stronger(_pendingDeactivation, reason);
                return;
            }

            _state = ActivationState.Deactivating;
        }

        _ = DeactivateAsync(reason);
    }

    private bool CanStartNow(WorkItem item) =>
        _running == 0 || (item.IsReadOnly && _runningReadOnly && _queue is not { Count: > 0 });

    private void EndTurn(WorkItem? item, Task? turn)
    {
        WorkItem? next = null;
        List<WorkItem>? more = null;
        DeactivationReason? deactivate = null;
        lock (_lock)
        {
            _running--;
            _lastActiveTicks = Environment.TickCount64;
            if (_state == ActivationState.Activating)
            {
                _state = ActivationState.Active;
            }

            if (turn is { IsFaulted: true } && turn.Exception!.InnerException is StaleActivationException)
            {
                _pendingDeactivation = DeactivationReason.Stale;
            }

            if (_running == 0 && _pendingDeactivation is { } reason
                && (reason != DeactivationReason.ShuttingDown || _queue is not { Count: > 0 }))
            {
                _state = ActivationState.Deactivating;
                deactivate = reason;
            }
            else if (_running == 0 && _queue is { Count: > 0 })
            {
                next = _queue.Dequeue();
                _running = 1;
                _runningReadOnly = next.IsReadOnly;
                while (_runningReadOnly && _queue.TryPeek(out var following) && following.IsReadOnly)
                {
                    (more ??= []).Add(_queue.Dequeue());
                    _running++;
                }
            }
        }

        if (item is not null)
        {
            item.Complete(turn!);
        }

        if (next is not null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(next, preferLocal: false);
        }

        foreach (var readOnly in more ?? [])
        {
            ThreadPool.UnsafeQueueUserWorkItem(readOnly, preferLocal: false);
        }

        if (deactivate is { } why)
        {
            _ = DeactivateAsync(why);
        }
    }

    private async Task DeactivateAsync(DeactivationReason reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(Options.DeactivationTimeout);
            await _grain!.OnDeactivateAsync(reason, timeout.Token).WaitAsync(Options.DeactivationTimeout).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Deactivation must finish and leave the catalog whatever the grain does.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogDeactivationFailed(_catalog.Logger, exception, GrainId, reason);
        }
        finally
        {
            Close(failure: null);
        }

        LogDeactivated(_catalog.Logger, GrainId, reason);
    }

    /// <summary>
    /// Marks the activation gone and removes it from the catalog. Calls still queued go, in their order,
    /// to the grain's next activation (or fail with <paramref name="failure"/>); calls that arrive
    /// meanwhile wait for <see cref="WhenDeactivated"/>, so they queue behind them.
    /// </summary>
    private void Close(Exception? failure)
    {
        List<WorkItem> queued;
        TaskCompletionSource? deactivated;
        lock (_lock)
        {
            _state = ActivationState.Deactivated;
            queued = _queue is { Count: > 0 } ? [.. _queue] : [];
            _queue = null;
            deactivated = _deactivated;
        }

        _catalog.Remove(this);
        if (failure is null)
        {
            _catalog.Forward(GrainId, queued);
        }
        else
        {
            foreach (var item in queued)
            {
                item.Reject(failure);
            }
        }

        deactivated?.TrySetResult();
    }

    private static DeactivationReason Stronger(DeactivationReason? current, DeactivationReason requested) =>
        current == DeactivationReason.Stale || requested == DeactivationReason.Stale ? DeactivationReason.Stale
        : current == DeactivationReason.ShuttingDown || requested == DeactivationReason.ShuttingDown ? DeactivationReason.ShuttingDown
        : requested;

    [LoggerMessage(Level = LogLevel.Error, Message = "Activation of {GrainId} failed")]
    private static partial void LogActivationFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deactivation of {GrainId} ({Reason}) failed")]
    private static partial void LogDeactivationFailed(ILogger logger, Exception exception, GrainId grainId, DeactivationReason reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deactivated {GrainId} ({Reason})")]
    private static partial void LogDeactivated(ILogger logger, GrainId grainId, DeactivationReason reason);

    private enum ActivationState
    {
        Activating,
        Active,
        Deactivating,
        Deactivated,
    }
}
