using System.Reflection;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Dispatch;

/// <summary>
/// The reference handed out by <see cref="IGrainFactory.GetGrain{TGrainInterface}"/>: each interface call
/// becomes a message to the grain's activation. Public and unsealed only because DispatchProxy requires it.
/// </summary>
public class GrainProxy : DispatchProxy
{
    private GrainId _grainId;
    private GrainInterface? _interface;
    private IGrainCallSender? _sender;

    internal void Attach(GrainId grainId, GrainInterface grainInterface, IGrainCallSender sender)
    {
        _grainId = grainId;
        _interface = grainInterface;
        _sender = sender;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var method = _interface!.Methods[targetMethod];
        return method.Send(_sender!, _grainId, args ?? []);
    }

    public override string ToString() => _grainId.ToString();
}
