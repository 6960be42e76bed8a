using System.Diagnostics.Metrics;

namespace UserData.Runtime.Diagnostics.Prometheus;

/// <summary>
/// Listens to this host's meters (those its <see cref="IMeterFactory"/> created, by name) and to .NET's process-wide
/// <c>System.Runtime</c> meter, and keeps their aggregates for <c>/metrics</c> and the dashboard. Observable
/// instruments (activations, queues, CPU, memory) are read only when someone collects: no timer, no work without a reader.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    /// <summary>Bucket bounds for a histogram whose instrument gives none: Prometheus' defaults, in seconds.</summary>
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener;
    private readonly Lock _collecting = new();
    private readonly List<InstrumentAggregator> _aggregators = [];
    private readonly IMeterFactory _meterFactory;
    private readonly HashSet<string> _hostMeters;

    public MetricsCollector(IMeterFactory meterFactory, IEnumerable<string> hostMeterNames)
    {
        _meterFactory = meterFactory;
        _hostMeters = new HashSet<string>(hostMeterNames, StringComparer.Ordinal);
        _listener = new MeterListener { InstrumentPublished = OnInstrumentPublished };
        _listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (instrument, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (instrument, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (instrument, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (instrument, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (instrument, value, tags, state) => ((InstrumentAggregator)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments, then returns every family, sorted by name.</summary>
    public IReadOnlyList<MetricFamily> Collect()
    {
        lock (_collecting)
        {
            List<InstrumentAggregator> aggregators;
            lock (_aggregators)
            {
                aggregators = [.. _aggregators];
            }

            foreach (var observed in aggregators.Where(aggregator => aggregator.IsObservable))
            {
                observed.ClearObserved();
            }

            _listener.RecordObservableInstruments();

            // Two instruments may map to one name (the same meter in two scopes): the first one published wins.
            return [.. aggregators
                .Select(aggregator => aggregator.Snapshot())
                .GroupBy(family => family.Name, StringComparer.Ordinal)
                .Select(sameName => sameName.First())
                .OrderBy(family => family.Name, StringComparer.Ordinal)];
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        var ours = ReferenceEquals(meter.Scope, _meterFactory) && _hostMeters.Contains(meter.Name);
        if (!ours && meter.Name != "System.Runtime")
        {
            return;
        }

        var kind = KindOf(instrument);
        var aggregator = new InstrumentAggregator(instrument, kind, kind == MetricKind.Histogram ? BucketsOf(instrument) : []);
        lock (_aggregators)
        {
            _aggregators.Add(aggregator);
        }

        listener.EnableMeasurementEvents(instrument, aggregator);
    }

    private static MetricKind KindOf(Instrument instrument)
    {
        var definition = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : null;
        return definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>) ? MetricKind.Counter
            : definition == typeof(Histogram<>) ? MetricKind.Histogram
            : MetricKind.Gauge;
    }

    private static IReadOnlyList<double> BucketsOf(Instrument instrument) => instrument switch
    {
        Histogram<double> { Advice.HistogramBucketBoundaries: { } bounds } => bounds,
        Histogram<long> { Advice.HistogramBucketBoundaries: { } bounds } => [.. bounds.Select(bound => (double)bound)],
        Histogram<int> { Advice.HistogramBucketBoundaries: { } bounds } => [.. bounds.Select(bound => (double)bound)],
        _ => DefaultBuckets,
    };
}
