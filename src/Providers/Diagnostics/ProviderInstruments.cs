using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace UserData.Providers.Diagnostics;

/// <summary>
/// The providers' metrics, on the meter <see cref="MeterName"/> (add it to OpenTelemetry next to <c>Microsoft.Orleans</c>).
/// Every storage call is timed by provider (<c>sqlite</c>, <c>dynamodb</c>), store (<c>journal</c>, <c>grain-storage</c>,
/// <c>membership</c>) and operation; failures are counted the same way.
/// </summary>
public static class ProviderInstruments
{
    public const string MeterName = "UserData.Providers";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "userdata.storage.operation.duration", "s", "Duration of storage operations by provider, store and operation.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    private static readonly Counter<long> OperationErrors = Meter.CreateCounter<long>(
        "userdata.storage.operation.errors", "{error}", "Storage operations that failed, by provider, store and operation.");

    private static readonly Counter<long> JournalAppends = Meter.CreateCounter<long>(
        "userdata.journal.appends", "{event}", "Events appended to grain journals.");

    private static readonly Counter<long> JournalEventsRead = Meter.CreateCounter<long>(
        "userdata.journal.events.read", "{event}", "Events read back from grain journals (replays and history reads).");

    private static readonly Counter<long> JournalConflicts = Meter.CreateCounter<long>(
        "userdata.journal.conflicts", "{conflict}", "Journal appends refused because another writer had appended first.");

    /// <summary>Times <paramref name="operation"/> and records it (and a failure, when it throws).</summary>
    public static async Task<T> MeasureAsync<T>(string provider, string store, string operation, Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            var result = await call().ConfigureAwait(false);
            failed = false;
            return result;
        }
        finally
        {
            Record(provider, store, operation, Stopwatch.GetElapsedTime(started), failed);
        }
    }

    /// <inheritdoc cref="MeasureAsync{T}(string, string, string, Func{Task{T}})"/>
    public static Task MeasureAsync(string provider, string store, string operation, Func<Task> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return MeasureAsync(provider, store, operation, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });
    }

    public static void Record(string provider, string store, string operation, TimeSpan duration, bool failed)
    {
        var tags = new TagList { { "provider", provider }, { "store", store }, { "operation", operation } };
        OperationDuration.Record(duration.TotalSeconds, tags);
        if (failed)
        {
            OperationErrors.Add(1, tags);
        }
    }

    public static void AddJournalAppends(string provider, int events) => JournalAppends.Add(events, new KeyValuePair<string, object?>("provider", provider));

    public static void AddJournalEventsRead(string provider, int events) => JournalEventsRead.Add(events, new KeyValuePair<string, object?>("provider", provider));

    public static void AddJournalConflict(string provider) => JournalConflicts.Add(1, new KeyValuePair<string, object?>("provider", provider));
}
