using UserData.Providers.Journal;

namespace UserData.Providers.Sqlite.Journal;

/// <summary>A write queued for the writer thread; its task completes once the transaction holding it committed.</summary>
internal abstract class SqlitePendingWrite(string stream)
{
    public string Stream { get; } = stream;

    /// <summary>Called once the transaction holding this write committed.</summary>
    public abstract void Committed();

    /// <summary>Called when the transaction holding this write did not commit: nothing of it is stored.</summary>
    public abstract void Fail(Exception exception);
}

internal sealed class SqlitePendingAppend(JournalAppend append) : SqlitePendingWrite(append.Stream)
{
    // Continuations must not run on the writer thread: they would stall every other waiter's commit.
    private readonly TaskCompletionSource<AppendResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public JournalAppend Append { get; } = append;

    /// <summary>Decided inside the transaction; reported only once it committed.</summary>
    public AppendResult Result { get; set; }

    public Task<AppendResult> Completion => _completion.Task;

    public override void Committed() => _completion.TrySetResult(Result);

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}

internal abstract class SqlitePendingCommand(string stream) : SqlitePendingWrite(stream)
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Completion => _completion.Task;

    public override void Committed() => _completion.TrySetResult();

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}

internal sealed class SqlitePendingSnapshot(string stream, StoredSnapshot snapshot) : SqlitePendingCommand(stream)
{
    public StoredSnapshot Snapshot { get; } = snapshot;
}

internal sealed class SqlitePendingRedaction(string stream, long afterSeq, long throughSeq, RedactionKind kind) : SqlitePendingCommand(stream)
{
    public long AfterSeq { get; } = afterSeq;

    public long ThroughSeq { get; } = throughSeq;

    public RedactionKind Kind { get; } = kind;
}
