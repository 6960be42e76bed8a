using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace UserData.Lake.Diagnostics;

/// <summary>
/// The lake's metrics on the meter <see cref="MeterName"/>: throughput (events and batches exported), lag (the age of
/// the oldest event read from a shard and not yet in the lake), the delay of each event from journal commit to lake
/// commit, compaction and erasure.
/// </summary>
public static class LakeInstruments
{
    public const string MeterName = "UserData.Lake";

    private static readonly Meter Meter = new(MeterName);

    private static readonly ConcurrentDictionary<string, DateTimeOffset?> OldestUnexported = new(StringComparer.Ordinal);

    private static readonly Counter<long> EventsExported = Meter.CreateCounter<long>(
        "userdata.lake.events.exported", "{event}", "Events written to the lake's events table.");

    private static readonly Counter<long> BatchesExported = Meter.CreateCounter<long>(
        "userdata.lake.batches.exported", "{batch}", "Batches committed (files written, checkpoint moved), by shard.");

    /// <summary>The export delay per event: from the journal's commit to the lake's.</summary>
    public static readonly Histogram<double> ExportDelay = Meter.CreateHistogram<double>(
        "userdata.lake.export.delay", "s", "Time from an event's journal commit to its lake commit.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600] });

    private static readonly Histogram<double> CompactionDuration = Meter.CreateHistogram<double>(
        "userdata.lake.compaction.duration", "s", "Duration of a compaction cycle.");

    private static readonly Counter<long> ErasedRows = Meter.CreateCounter<long>(
        "userdata.lake.rows.erased", "{row}", "Rows of erased users removed from lake files by compaction.");

    static LakeInstruments() =>
        Meter.CreateObservableGauge(
            "userdata.lake.lag", ObserveLag, "s", "Age of the oldest event read from the journal's change feed and not yet committed to the lake, by shard.");

    /// <summary>This worker now consumes <paramref name="shard"/>: its lag is reported (0 while caught up).</summary>
    public static void ShardClaimed(string shard) => OldestUnexported[shard] = null;

    public static void BatchRead(string shard, DateTimeOffset oldestWrittenAt) => OldestUnexported[shard] = oldestWrittenAt;

    public static void BatchCommitted(string shard, int events, IEnumerable<DateTimeOffset> writtenAt)
    {
        ArgumentNullException.ThrowIfNull(writtenAt);
        OldestUnexported[shard] = null;
        EventsExported.Add(events);
        BatchesExported.Add(1, new KeyValuePair<string, object?>("shard", shard));
        var now = DateTimeOffset.UtcNow;
        foreach (var time in writtenAt)
        {
            ExportDelay.Record(Math.Max(0, (now - time).TotalSeconds));
        }
    }

    public static void ShardReleased(string shard) => OldestUnexported.TryRemove(shard, out _);

    public static void Compacted(TimeSpan duration, long erasedRows)
    {
        CompactionDuration.Record(duration.TotalSeconds);
        ErasedRows.Add(erasedRows);
    }

    private static IEnumerable<Measurement<double>> ObserveLag()
    {
        var now = DateTimeOffset.UtcNow;
        return OldestUnexported.Select(entry =>
            new Measurement<double>(entry.Value is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0, new KeyValuePair<string, object?>("shard", entry.Key)));
    }
}
