using UserData.Runtime.Grains;

namespace UserData.Runtime.Dispatch;

/// <summary>
/// Decides where a call runs when the runtime is part of a cluster: on this silo's catalog or on the grain's owner.
/// Without one (a single local silo), every call runs locally.
/// </summary>
internal interface IGrainCallRouter
{
    Task<TResult> SendAsync<TResult>(GrainId grainId, GrainMethod<TResult> method, object?[] arguments);
}
