using UserData.Runtime.Grains;

namespace UserData.Runtime.Activations;

/// <summary>What the runtime gives a grain instance: its identity, other grains, services, and deactivation.</summary>
internal interface IGrainContext
{
    GrainId GrainId { get; }

    IGrainFactory GrainFactory { get; }

    IServiceProvider Services { get; }

    void RequestDeactivation(DeactivationReason reason);
}
