namespace UserData.Runtime.Cluster.Transport;

/// <summary>
/// The nonces of the signed requests accepted within the clock-skew window, so a captured request cannot be replayed.
/// A nonce is forgotten once its timestamp is older than the window (the timestamp check refuses it from then on).
/// Memory is bounded: at <c>capacity</c> the oldest nonce is dropped and every request whose timestamp is not newer
/// than the dropped one is refused from then on, so a replay is never accepted; under such load the window for late
/// requests just narrows to the time the last <c>capacity</c> requests took.
/// </summary>
internal sealed class ReplayCache(int capacity, TimeSpan window, TimeProvider time)
{
    /// <summary>About 37 MB when full (74 B per nonce, measured); 5 minutes of 1,600 requests/s before the window narrows.</summary>
    public const int DefaultCapacity = 500_000;

    private readonly Dictionary<Guid, long> _nonces = [];
    private readonly Queue<(Guid Nonce, long Timestamp)> _arrivals = new();
    private readonly long _windowMilliseconds = (long)window.TotalMilliseconds;
    private long _floor = long.MinValue;

    public enum Outcome
    {
        Added,
        Seen,

        /// <summary>The timestamp is not newer than a nonce dropped at the capacity, so it may be a replay of it.</summary>
        BeforeWindow,
    }

    public int Count
    {
        get
        {
            lock (_nonces)
            {
                ForgetExpired();
                return _nonces.Count;
            }
        }
    }

    public Outcome TryAdd(Guid nonce, long timestampMilliseconds)
    {
        lock (_nonces)
        {
            ForgetExpired();
            if (timestampMilliseconds <= _floor)
            {
                return Outcome.BeforeWindow;
            }

            if (!_nonces.TryAdd(nonce, timestampMilliseconds))
            {
                return Outcome.Seen;
            }

            _arrivals.Enqueue((nonce, timestampMilliseconds));
            if (_nonces.Count > capacity)
            {
                var (oldest, timestamp) = _arrivals.Dequeue();
                _nonces.Remove(oldest);
                _floor = Math.Max(_floor, timestamp);
            }

            return Outcome.Added;
        }
    }

    /// <summary>Arrival order is timestamp order up to the senders' clock differences, which only delays forgetting.</summary>
    private void ForgetExpired()
    {
        var oldestValid = time.GetUtcNow().ToUnixTimeMilliseconds() - _windowMilliseconds;
        while (_arrivals.TryPeek(out var arrival) && arrival.Timestamp < oldestValid)
        {
            _arrivals.Dequeue();
            _nonces.Remove(arrival.Nonce);
        }
    }
}
