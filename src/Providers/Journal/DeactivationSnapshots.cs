using System.Collections.Concurrent;

namespace UserData.Providers.Journal;

/// <summary>
/// The activations of one journal whose deactivation snapshot is still to be written, so that the silo stops the
/// journal's store only after the snapshots of the activations it deactivated on the way down.
/// </summary>
internal sealed class DeactivationSnapshots
{
    private readonly ConcurrentDictionary<Task, byte> _pending = new();

    /// <summary>Tracks <paramref name="snapshot"/> (which never faults) until it completes.</summary>
    public void Track(Task snapshot)
    {
        _pending.TryAdd(snapshot, 0);
        snapshot.ContinueWith(done => _pending.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public Task WhenWrittenAsync(CancellationToken cancellationToken) => Task.WhenAll(_pending.Keys).WaitAsync(cancellationToken);
}
