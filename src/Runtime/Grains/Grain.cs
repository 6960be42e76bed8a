using UserData.Runtime.Activations;

namespace UserData.Runtime.Grains;

/// <summary>
/// Base class of grain implementations. The runtime creates it (with constructor injection), calls
/// <see cref="OnActivateAsync"/> before the first call and <see cref="OnDeactivateAsync"/> when it is
/// collected, and runs one call at a time.
/// </summary>
public abstract class Grain
{
    private IGrainContext? _context;

    /// <summary>This grain's identity.</summary>
    protected GrainId GrainId => Context.GrainId;

    /// <summary>References to other grains.</summary>
    protected IGrainFactory GrainFactory => Context.GrainFactory;

    internal IGrainContext Context
    {
        get => _context ?? throw new InvalidOperationException("The grain is not attached to an activation yet.");
        set => _context = value;
    }

    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Asks the runtime to deactivate this grain once the current call ends.</summary>
    protected void DeactivateOnIdle() => Context.RequestDeactivation(DeactivationReason.Requested);
}
