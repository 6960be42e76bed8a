using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using UserData.Runtime.Activations;
using UserData.Runtime.Dispatch;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Runtime.Diagnostics;

/// <summary>
/// The runtime's instruments, on the meter <see cref="MeterName"/> created through the host's
/// <see cref="IMeterFactory"/> (so each host, and each test host in one process, has its own):
/// <list type="bullet">
/// <item><c>grain.call.duration</c> (s, histogram; <c>grain_type</c>, <c>method</c>, <c>outcome</c>): as the caller sees it, queueing included.</item>
/// <item><c>grain.activations</c> (gauge; <c>grain_type</c>) and <c>grain.queue.length</c> (gauge; <c>grain_type</c>): read from the catalog only when a listener collects.</item>
/// <item><c>storage.operation.duration</c> (s, histogram; <c>provider</c>, <c>operation</c>, <c>outcome</c>).</item>
/// </list>
/// Nothing is measured while no listener has enabled an instrument.
/// </summary>
public sealed class RuntimeMetrics
{
    public const string MeterName = "UserData.Runtime";

    /// <summary>
    /// Bucket bounds in seconds: fine below a millisecond, where local grain calls and SQLite reads land, up to
    /// the 30 s response timeout.
    /// </summary>
    public static IReadOnlyList<double> LatencyBuckets { get; } =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly IServiceProvider _services;
    private readonly Histogram<double> _grainCallDuration;
    private readonly Histogram<double> _storageOperationDuration;

    public RuntimeMetrics(IMeterFactory meterFactory, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _services = services;
        var meter = meterFactory.Create(MeterName);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets };
        _grainCallDuration = meter.CreateHistogram(
            "grain.call.duration", "s", "Grain calls from the caller's side, queueing included.", tags: null, advice);
        _storageOperationDuration = meter.CreateHistogram(
            "storage.operation.duration", "s", "Journal storage operations.", tags: null, advice);
        meter.CreateObservableGauge("grain.activations", ObserveActivations, "{activation}", "Live activations in this silo.");
        meter.CreateObservableGauge("grain.queue.length", ObserveQueues, "{call}", "Calls waiting behind the running turn, summed over activations.");
    }

    internal bool GrainCallsMeasured => _grainCallDuration.Enabled;

    internal bool StorageOperationsMeasured => _storageOperationDuration.Enabled;

    internal IGrainCallSender Instrument(IGrainCallSender sender) => new InstrumentedGrainCallSender(sender, this);

    internal void RecordGrainCall(string grainType, string method, Task call, long startedTimestamp) =>
        _grainCallDuration.Record(
            Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds,
            new TagList { { "grain_type", grainType }, { "method", method }, { "outcome", CallOutcome(call) } });

    internal void RecordStorageOperation(string provider, string operation, Exception? failure, long startedTimestamp) =>
        _storageOperationDuration.Record(
            Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds,
            new TagList { { "provider", provider }, { "operation", operation }, { "outcome", StorageOutcome(failure) } });

    private static string CallOutcome(Task call) =>
        call.IsCompletedSuccessfully ? "ok"
        : call.IsCanceled ? "canceled"
        : call.Exception!.InnerException switch
        {
            GrainOverloadedException => "overloaded",
            GrainCallTimeoutException => "timeout",
            SiloUnavailableException => "unavailable",
            _ => "error",
        };

    // A conflict is the fence doing its job (a stale activation), not a storage failure.
    private static string StorageOutcome(Exception? failure) => failure switch
    {
        null => "ok",
        JournalConflictException => "conflict",
        OperationCanceledException => "canceled",
        _ => "error",
    };

    private IEnumerable<Measurement<int>> ObserveActivations() =>
        ByGrainType(_ => 1);

    private IEnumerable<Measurement<int>> ObserveQueues() =>
        ByGrainType(activation => activation.QueueLength);

    private List<Measurement<int>> ByGrainType(Func<Activation, int> value)
    {
        // Resolved at collection time, not in the constructor: the catalog itself asks for this class.
        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var activation in _services.GetRequiredService<Catalog>().Activations)
        {
            totals[activation.GrainId.Type] = totals.GetValueOrDefault(activation.GrainId.Type) + value(activation);
        }

        return [.. totals.Select(total => new Measurement<int>(total.Value, new KeyValuePair<string, object?>("grain_type", total.Key)))];
    }
}
