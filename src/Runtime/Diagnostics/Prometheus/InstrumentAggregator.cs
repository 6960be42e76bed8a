using System.Diagnostics.Metrics;
using System.Globalization;

namespace UserData.Runtime.Diagnostics.Prometheus;

/// <summary>
/// The running aggregate of one instrument, per distinct tag set: a sum (counters, up-down counters), the last
/// observed value (observable instruments, gauges) or histogram bucket counts with sum and count.
/// Recording looks the series up by an order-independent hash of the tags, without allocating once it exists.
/// </summary>
internal sealed class InstrumentAggregator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, List<Series>> _series = [];
    private readonly double[] _bounds;
    private readonly bool _lastValueWins;

    public InstrumentAggregator(Instrument instrument, MetricKind kind, IReadOnlyList<double> bounds)
    {
        Kind = kind;
        _bounds = [.. bounds];
        _lastValueWins = instrument.IsObservable || (kind == MetricKind.Gauge && !IsUpDownCounter(instrument));
        Name = PrometheusNaming.MetricName(instrument.Name, instrument.Unit, kind);
        Help = instrument.Description ?? "";
        IsObservable = instrument.IsObservable;
    }

    public string Name { get; }

    public string Help { get; }

    public MetricKind Kind { get; }

    public bool IsObservable { get; }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = 0;
        foreach (var tag in tags)
        {
            hash += HashCode.Combine(tag.Key, tag.Value);
        }

        lock (_lock)
        {
            var series = Find(hash, tags);
            if (series is null)
            {
                series = new Series(tags.ToArray(), _bounds.Length + 1);
                if (!_series.TryGetValue(hash, out var sameHash))
                {
                    _series[hash] = sameHash = [];
                }

                sameHash.Add(series);
            }

            if (Kind == MetricKind.Histogram)
            {
                var bucket = Array.BinarySearch(_bounds, value);
                series.BucketCounts[bucket >= 0 ? bucket : ~bucket]++;
                series.Sum += value;
                series.Count++;
            }
            else
            {
                series.Value = _lastValueWins ? value : series.Value + value;
            }
        }
    }

    /// <summary>Forgets observed values before a collection, so a series that is no longer reported disappears.</summary>
    public void ClearObserved()
    {
        lock (_lock)
        {
            _series.Clear();
        }
    }

    public MetricFamily Snapshot()
    {
        lock (_lock)
        {
            var series = _series.Values
                .SelectMany(sameHash => sameHash)
                .Select(one => new MetricSeries(Labels(one.Tags), one.Value, [.. one.BucketCounts], one.Sum, one.Count))
                .OrderBy(one => string.Join(',', one.Labels.Select(label => label.Value)), StringComparer.Ordinal)
                .ToList();
            return new MetricFamily(Name, Help, Kind, _bounds, series);
        }
    }

    private Series? Find(int hash, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(hash, out var sameHash))
        {
            foreach (var candidate in sameHash)
            {
                if (candidate.Matches(tags))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static List<KeyValuePair<string, string>> Labels(KeyValuePair<string, object?>[] tags) =>
        [.. tags
            .Select(tag => new KeyValuePair<string, string>(
                PrometheusNaming.LabelName(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""))
            .OrderBy(label => label.Key, StringComparer.Ordinal)];

    private static bool IsUpDownCounter(Instrument instrument) =>
        instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(UpDownCounter<>);

    private sealed class Series(KeyValuePair<string, object?>[] tags, int buckets)
    {
        public KeyValuePair<string, object?>[] Tags { get; } = tags;

        public long[] BucketCounts { get; } = new long[buckets];

        public double Value { get; set; }

        public double Sum { get; set; }

        public long Count { get; set; }

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != Tags.Length)
            {
                return false;
            }

            foreach (var tag in tags)
            {
                if (!Contains(tag))
                {
                    return false;
                }
            }

            return true;
        }

        private bool Contains(KeyValuePair<string, object?> tag)
        {
            foreach (var own in Tags)
            {
                if (own.Key == tag.Key && Equals(own.Value, tag.Value))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
