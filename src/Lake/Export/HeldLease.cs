using System.Diagnostics;

namespace UserData.Lake.Export;

/// <summary>
/// A lease this worker holds (a shard's, or compaction's) and the task that works under it. The worker counts the lease
/// as its own only until the lease duration has passed since the start of the last
/// successful claim or renewal, measured on its own monotonic clock: a contender waits at least that long after seeing
/// the last renewal, so by then this worker has stopped writing.
/// </summary>
internal sealed class HeldLease : IDisposable
{
    private readonly TimeSpan _duration;
    private long _renewedAt;

    public HeldLease(string name, TimeSpan duration, long claimedAt, CancellationToken stopping)
    {
        Name = name;
        _duration = duration;
        _renewedAt = claimedAt;
        Stopping = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public string Name { get; }

    /// <summary>Cancelled when the lease is lost or the worker stops.</summary>
    public CancellationTokenSource Stopping { get; }

    public Task Run { get; set; } = Task.CompletedTask;

    /// <summary>Whether this worker may still write under the lease.</summary>
    public bool IsCurrent => Stopwatch.GetElapsedTime(Interlocked.Read(ref _renewedAt)) < _duration;

    /// <param name="startedAt">The <see cref="Stopwatch.GetTimestamp"/> taken before the renewal was sent.</param>
    public void Renewed(long startedAt) => Interlocked.Exchange(ref _renewedAt, startedAt);

    /// <summary>Throws when the lease may have passed to another worker, so no write follows.</summary>
    public void EnsureCurrent()
    {
        if (!IsCurrent)
        {
            throw new LeaseExpiredException($"The lease on {Name} was not renewed within {_duration}; this worker stops writing under it.");
        }
    }

    public void Dispose() => Stopping.Dispose();
}

/// <summary>The worker could not renew a lease in time and stopped working under it.</summary>
public sealed class LeaseExpiredException : Exception
{
    public LeaseExpiredException()
    {
    }

    public LeaseExpiredException(string message)
        : base(message)
    {
    }

    public LeaseExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
