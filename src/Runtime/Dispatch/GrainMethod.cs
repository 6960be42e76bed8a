using System.Reflection;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Dispatch;

/// <summary>A grain interface method, with a compiled delegate that calls it on a grain (no reflection per call).</summary>
internal abstract class GrainMethod(MethodInfo method)
{
    public MethodInfo Method { get; } = method;

    public string Name { get; } = method.Name;

    public bool IsReadOnly { get; } = method.IsDefined(typeof(ReadOnlyAttribute), inherit: false);

    /// <summary>Sends a call through <paramref name="sender"/> and returns the task the interface method declares.</summary>
    public abstract object Send(IGrainCallSender sender, GrainId grainId, object?[] arguments);
}

/// <summary>A method whose result is <typeparamref name="TResult"/> (<c>object?</c> standing in for a plain <see cref="Task"/>).</summary>
internal sealed class GrainMethod<TResult>(MethodInfo method, Func<object, object?[], Task<TResult>> invoke) : GrainMethod(method)
{
    public Task<TResult> Invoke(object grain, object?[] arguments) => invoke(grain, arguments);

    public override object Send(IGrainCallSender sender, GrainId grainId, object?[] arguments) =>
        sender.SendAsync(grainId, this, arguments);
}

/// <summary>Routes a call to the grain's activation: local now, another silo once clustering is added.</summary>
internal interface IGrainCallSender
{
    Task<TResult> SendAsync<TResult>(GrainId grainId, GrainMethod<TResult> method, object?[] arguments);
}
