using System.Diagnostics;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Diagnostics;

/// <summary>Times every operation of the journal storage adapter it wraps, with its outcome.</summary>
internal sealed class InstrumentedJournalStorage(IJournalStorage inner, RuntimeMetrics metrics) : IJournalStorage
{
    public string Provider => inner.Provider;

    public async Task AppendAsync(GrainId grainId, long expectedVersion, IReadOnlyList<string> events, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await inner.AppendAsync(grainId, expectedVersion, events, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Record("append", exception, started);
            throw;
        }

        Record("append", null, started);
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(GrainId grainId, long afterSeq, int maxCount, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var events = await inner.ReadAsync(grainId, afterSeq, maxCount, cancellationToken).ConfigureAwait(false);
            Record("read", null, started);
            return events;
        }
        catch (Exception exception)
        {
            Record("read", exception, started);
            throw;
        }
    }

    public async Task RedactAsync(GrainId grainId, long throughSeq, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await inner.RedactAsync(grainId, throughSeq, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Record("redact", exception, started);
            throw;
        }

        Record("redact", null, started);
    }

    public async Task<StoredSnapshot?> ReadSnapshotAsync(GrainId grainId, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var snapshot = await inner.ReadSnapshotAsync(grainId, cancellationToken).ConfigureAwait(false);
            Record("read_snapshot", null, started);
            return snapshot;
        }
        catch (Exception exception)
        {
            Record("read_snapshot", exception, started);
            throw;
        }
    }

    public async Task WriteSnapshotAsync(GrainId grainId, StoredSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await inner.WriteSnapshotAsync(grainId, snapshot, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Record("write_snapshot", exception, started);
            throw;
        }

        Record("write_snapshot", null, started);
    }

    public async Task CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await inner.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Record("health", exception, started);
            throw;
        }

        Record("health", null, started);
    }

    private void Record(string operation, Exception? failure, long started)
    {
        if (metrics.StorageOperationsMeasured)
        {
            metrics.RecordStorageOperation(inner.Provider, operation, failure, started);
        }
    }
}
