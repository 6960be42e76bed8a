using System.Diagnostics;
using UserData.Runtime.Dispatch;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Diagnostics;

/// <summary>Times each call a grain reference sends, from the send to the caller's answer.</summary>
internal sealed class InstrumentedGrainCallSender(IGrainCallSender inner, RuntimeMetrics metrics) : IGrainCallSender
{
    public Task<TResult> SendAsync<TResult>(GrainId grainId, GrainMethod<TResult> method, object?[] arguments)
    {
        if (!metrics.GrainCallsMeasured)
        {
            return inner.SendAsync(grainId, method, arguments);
        }

        var started = Stopwatch.GetTimestamp();
        var call = inner.SendAsync(grainId, method, arguments);
        if (call.IsCompleted)
        {
            metrics.RecordGrainCall(grainId.Type, method.Name, call, started);
        }
        else
        {
            // The caller gets the runtime's own task (exceptions untouched); the timing rides on a continuation.
            call.ContinueWith(
                static (completed, state) => ((PendingCall)state!).Record(completed),
                new PendingCall(metrics, grainId.Type, method.Name, started),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return call;
    }

    private sealed class PendingCall(RuntimeMetrics metrics, string grainType, string method, long started)
    {
        public void Record(Task completed) => metrics.RecordGrainCall(grainType, method, completed, started);
    }
}
