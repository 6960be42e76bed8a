using System.Diagnostics;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Diagnostics;

/// <summary>Times every operation of the journal storage adapter it wraps, with its outcome.</summary>
internal sealed class InstrumentedJournalStorage(IJournalStorage inner, RuntimeMetrics metrics) : IJournalStorage
{
    public string Provider => inner.Provider;

    public Task AppendAsync(GrainId grainId, long expectedVersion, IReadOnlyList<string> events, CancellationToken cancellationToken = default) =>
        MeasureAsync("append", () => inner.AppendAsync(grainId, expectedVersion, events, cancellationToken));

    public Task<IReadOnlyList<StoredEvent>> ReadAsync(GrainId grainId, long afterSeq, int maxCount, CancellationToken cancellationToken = default) =>
        MeasureAsync("read", () => inner.ReadAsync(grainId, afterSeq, maxCount, cancellationToken));

    public Task RedactAsync(GrainId grainId, long throughSeq, CancellationToken cancellationToken = default) =>
        MeasureAsync("redact", () => inner.RedactAsync(grainId, throughSeq, cancellationToken));

    public Task<StoredSnapshot?> ReadSnapshotAsync(GrainId grainId, CancellationToken cancellationToken = default) =>
        MeasureAsync("read_snapshot", () => inner.ReadSnapshotAsync(grainId, cancellationToken));

    public Task WriteSnapshotAsync(GrainId grainId, StoredSnapshot snapshot, CancellationToken cancellationToken = default) =>
        MeasureAsync("write_snapshot", () => inner.WriteSnapshotAsync(grainId, snapshot, cancellationToken));

    public Task CheckHealthAsync(CancellationToken cancellationToken = default) =>
        MeasureAsync("health", () => inner.CheckHealthAsync(cancellationToken));

    private async Task MeasureAsync(string operation, Func<Task> call) =>
        await MeasureAsync(operation, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    private async Task<T> MeasureAsync<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        T result;
        try
        {
            result = await call().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Record(operation, exception, started);
            throw;
        }

        Record(operation, null, started);
        return result;
    }

    private void Record(string operation, Exception? failure, long started)
    {
        if (metrics.StorageOperationsMeasured)
        {
            metrics.RecordStorageOperation(inner.Provider, operation, failure, started);
        }
    }
}
