using System.Runtime.ExceptionServices;
using Orleans.Serialization.Invocation;
using UserData.Grains.Errors;

namespace UserData.Silo.Dashboard;

/// <summary>
/// Keeps a client's mistake (a <see cref="DomainException"/>: not found, invalid, stale version...) out of the Orleans
/// Dashboard's error figures. The dashboard's grain profiler is an incoming call filter that counts every exception
/// thrown through it as a failure, and it offers no option to tell them apart. Orleans runs the filters in the order
/// they are registered and sends the caller the call's <see cref="IGrainCallContext.Response"/>, so two filters around
/// the profiler carry the refusal past it as the response instead of a thrown exception: the caller receives the same
/// exception, the profiler counts a call that answered, and the filters outside see the exception thrown as before.
/// Registered right after the profiler (so it runs inside it), this one answers a refusal as the call's response.
/// </summary>
public sealed class AnswerRefusalFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await context.Invoke();
        }
        catch (DomainException refusal)
        {
            context.Response = Response.FromException(refusal);
        }
    }
}

/// <summary>
/// Registered right before the dashboard's profiler (so it runs outside it): throws the refusal that
/// <see cref="AnswerRefusalFilter"/> carried past the profiler again, for the filters and the caller outside.
/// </summary>
public sealed class RethrowRefusalFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.Invoke();
        if (context.Response?.Exception is DomainException refusal)
        {
            ExceptionDispatchInfo.Throw(refusal);
        }
    }
}
