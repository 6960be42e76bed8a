using System.Reflection;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Dispatch;

/// <summary>A grain interface method, with a compiled delegate that calls it on a grain (no reflection per call).</summary>
internal abstract class GrainMethod(MethodInfo method)
{
    public MethodInfo Method { get; } = method;

    public string Name { get; } = method.Name;

    public bool IsReadOnly { get; } = method.IsDefined(typeof(ReadOnlyAttribute), inherit: false);

    /// <summary>Names the method across processes: <c>Name(ParameterType, ...)</c>, unique within its interface.</summary>
    public string Signature { get; } =
        $"{method.Name}({string.Join(",", method.GetParameters().Select(parameter => parameter.ParameterType.FullName))})";

    public IReadOnlyList<Type> ParameterTypes { get; } = [.. method.GetParameters().Select(parameter => parameter.ParameterType)];

    /// <summary>The result type of <c>Task&lt;T&gt;</c>; null for a plain <see cref="Task"/>.</summary>
    public Type? ResultType { get; } = method.ReturnType.IsGenericType ? method.ReturnType.GetGenericArguments()[0] : null;

    /// <summary>Sends a call through <paramref name="sender"/> and returns the task the interface method declares.</summary>
    public abstract object Send(IGrainCallSender sender, GrainId grainId, object?[] arguments);

    /// <summary>Sends a call through <paramref name="sender"/> when the result type is only known at run time.</summary>
    public abstract Task<object?> SendBoxedAsync(IGrainCallSender sender, GrainId grainId, object?[] arguments);
}

/// <summary>A method whose result is <typeparamref name="TResult"/> (<c>object?</c> standing in for a plain <see cref="Task"/>).</summary>
internal sealed class GrainMethod<TResult>(MethodInfo method, Func<object, object?[], Task<TResult>> invoke) : GrainMethod(method)
{
    public Task<TResult> Invoke(object grain, object?[] arguments) => invoke(grain, arguments);

    public override object Send(IGrainCallSender sender, GrainId grainId, object?[] arguments) =>
        sender.SendAsync(grainId, this, arguments);

    public override async Task<object?> SendBoxedAsync(IGrainCallSender sender, GrainId grainId, object?[] arguments) =>
        await sender.SendAsync(grainId, this, arguments).ConfigureAwait(false);
}

/// <summary>Routes a call to the grain's activation: local now, another silo once clustering is added.</summary>
internal interface IGrainCallSender
{
    Task<TResult> SendAsync<TResult>(GrainId grainId, GrainMethod<TResult> method, object?[] arguments);
}
