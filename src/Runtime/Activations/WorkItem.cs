using UserData.Runtime.Dispatch;

namespace UserData.Runtime.Activations;

/// <summary>One turn waiting for, or running on, an activation.</summary>
internal abstract class WorkItem : IThreadPoolWorkItem
{
    // The caller's context (trace, log scope) flows into the turn even when it runs from the queue.
    private readonly ExecutionContext? _executionContext = ExecutionContext.Capture();

    public abstract bool IsReadOnly { get; }

    public Activation? Activation { get; set; }

    /// <summary>Starts the grain code; the returned task ends with the turn.</summary>
    public abstract Task Run(object grain);

    /// <summary>Hands the finished turn's outcome to the caller.</summary>
    public abstract void Complete(Task turn);

    /// <summary>Fails the call without running it.</summary>
    public abstract void Reject(Exception exception);

    void IThreadPoolWorkItem.Execute()
    {
        if (_executionContext is null)
        {
            Activation!.RunTurn(this);
        }
        else
        {
            ExecutionContext.Run(_executionContext, static state => ((WorkItem)state!).Activation!.RunTurn((WorkItem)state), this);
        }
    }
}

/// <summary>A call of a grain method with its arguments and the caller's pending result.</summary>
internal sealed class GrainCall<TResult>(GrainMethod<TResult> method, object?[] arguments) : WorkItem
{
    private readonly TaskCompletionSource<TResult> _result = new();

    public Task<TResult> Result => _result.Task;

    public override bool IsReadOnly => method.IsReadOnly;

    public GrainMethod<TResult> Method => method;

    public override Task Run(object grain)
    {
        try
        {
            return method.Invoke(grain, arguments);
        }
#pragma warning disable CA1031 // Whatever the grain throws belongs to the caller, not to the runtime.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return Task.FromException<TResult>(exception);
        }
    }

    public override void Complete(Task turn)
    {
        var typed = (Task<TResult>)turn;
        if (typed.IsCompletedSuccessfully)
        {
            _result.TrySetResult(typed.Result);
        }
        else if (typed.IsCanceled)
        {
            _result.TrySetCanceled();
        }
        else
        {
            _result.TrySetException(typed.Exception!.InnerExceptions);
        }
    }

    public override void Reject(Exception exception) => _result.TrySetException(exception);
}
