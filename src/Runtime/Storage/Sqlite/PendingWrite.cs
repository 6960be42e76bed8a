using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Storage.Sqlite;

/// <summary>A write queued for the writer loop, and the task its caller awaits until the write's transaction committed.</summary>
internal abstract class PendingWrite(GrainId grainId, CancellationToken cancellationToken)
{
    // Continuations must not run on the writer thread: it would stall every other waiter's commit.
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GrainId GrainId { get; } = grainId;

    public string Key { get; } = grainId.ToString();

    public Task Completion => _completion.Task;

    /// <summary>Set when this write failed inside a transaction that otherwise commits (a conflict).</summary>
    public Exception? Failure { get; set; }

    /// <summary>A caller that gave up before the writer reached its write gets a cancellation, and nothing is written.</summary>
    public bool TryCancel() => cancellationToken.IsCancellationRequested && _completion.TrySetCanceled(cancellationToken);

    /// <summary>Called once the transaction holding this write committed.</summary>
    public void Committed()
    {
        if (Failure is null)
        {
            _completion.TrySetResult();
        }
        else
        {
            _completion.TrySetException(Failure);
        }
    }

    /// <summary>Called when the transaction holding this write did not commit: nothing of it is stored.</summary>
    public void Fail(Exception exception) => _completion.TrySetException(exception);
}

internal sealed class PendingAppend(GrainId grainId, long expectedVersion, string[] events, CancellationToken cancellationToken)
    : PendingWrite(grainId, cancellationToken)
{
    public long ExpectedVersion { get; } = expectedVersion;

    public IReadOnlyList<string> Events { get; } = events;
}

internal sealed class PendingRedaction(GrainId grainId, long throughSeq, CancellationToken cancellationToken)
    : PendingWrite(grainId, cancellationToken)
{
    public long ThroughSeq { get; } = throughSeq;
}

internal sealed class PendingSnapshot(GrainId grainId, StoredSnapshot snapshot, CancellationToken cancellationToken)
    : PendingWrite(grainId, cancellationToken)
{
    public StoredSnapshot Snapshot { get; } = snapshot;
}
