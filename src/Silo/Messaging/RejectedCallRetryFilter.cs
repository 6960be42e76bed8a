using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace UserData.Silo.Messaging;

/// <summary>
/// Sends a grain call again when Orleans rejected it undelivered. A silo that is shutting down gracefully rejects the
/// requests that still reach it ("Silo stopping") with a directory cache invalidation, and Orleans hands that rejection
/// to the caller as <see cref="OrleansMessageRejectionException"/> without trying again. A rejected request never ran,
/// so sending it again is safe for writes too; the next attempt is routed to the grain's new activation once the
/// stopping silo has let it go. Calls that may have run (a silo dying mid-call, a timeout) are not retried.
/// Calls to system targets (Orleans' directory, membership, grain services) are left alone: they are addressed to one
/// silo, so sending again reaches the same silo, and Orleans retries them itself once membership has moved on. Holding
/// a directory lookup to a killed silo here delayed placement, and so every user of that silo, by the whole backoff.
/// </summary>
public sealed partial class RejectedCallRetryFilter(ILogger<RejectedCallRetryFilter> logger) : IOutgoingGrainCallFilter
{
    /// <summary>Attempts in all: with the delays below, about 4 s, the time a stopping silo takes to hand its grains over.</summary>
    private const int MaxAttempts = 8;

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.TargetId.IsSystemTarget())
        {
            await context.Invoke().ConfigureAwait(false);
            return;
        }

        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await context.Invoke().ConfigureAwait(false);
                return;
            }
            catch (OrleansMessageRejectionException exception) when (attempt < MaxAttempts)
            {
                LogRetry(logger, context.InterfaceName, context.MethodName, context.TargetId, attempt, exception.Message);
            }

            await Task.Delay(delay).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {Interface}.{Method} to {Grain} rejected undelivered (attempt {Attempt}), sending it again: {Reason}")]
    private static partial void LogRetry(ILogger logger, string @interface, string method, GrainId grain, int attempt, string reason);
}
