using System.Diagnostics;
using System.Globalization;

namespace UserData.Benchmarks;

/// <summary>
/// Latency percentiles and throughput of local and remote (forwarded) grain calls in one run (<c>-- call-latency</c>):
/// BenchmarkDotNet reports means only. Uses <see cref="RemoteCallBenchmarks"/>' two silos over loopback HTTP/2. Each
/// call is timed on its own (a timestamp read costs about 20 ns, which is visible on a local call). "allocated" is
/// the whole process's allocation per call, so a remote call counts both silos' work.
/// </summary>
internal static class CallLatency
{
    private const int DefaultConcurrentCallers = 64;
    private const int MaxCalls = 2_000_000;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var callers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : DefaultConcurrentCallers;
        var silos = new RemoteCallBenchmarks();
        await silos.SetupAsync();
        try
        {
            Console.WriteLine($"{"call",-7} {"callers",7} {"calls",9} {"calls/s",10} {"p50",9} {"p99",9} {"p99.9",9} {"allocated",10}");
            foreach (var (name, grains) in new[] { ("local", silos.LocalGrains), ("remote", silos.RemoteGrains) })
            {
                foreach (var concurrency in new[] { 1, callers })
                {
                    await MeasureAsync(grains, concurrency, WarmUp);
                    var result = await MeasureAsync(grains, concurrency, Measured);
                    Console.WriteLine(
                        $"{name,-7} {concurrency,7} {result.Calls,9:N0} {result.CallsPerSecond,10:N0} {Format(result.Percentile(0.50)),9} " +
                        $"{Format(result.Percentile(0.99)),9} {Format(result.Percentile(0.999)),9} {result.AllocatedPerCall,8:N0} B");
                }
            }
        }
        finally
        {
            await silos.CleanupAsync();
        }

        return 0;
    }

    /// <summary>
    /// Each caller calls its own sequence of grains, one call at a time, until the duration is over or it has made its
    /// share of <see cref="MaxCalls"/> (which bounds the samples' memory on fast local calls).
    /// </summary>
    private static async Task<Result> MeasureAsync(IReadOnlyList<IPingGrain> grains, int callers, TimeSpan duration)
    {
        var samples = Enumerable.Range(0, callers).Select(_ => new long[MaxCalls / callers]).ToArray();
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var counts = await Task.WhenAll(samples.Select((ticks, caller) => Task.Run(async () =>
        {
            var count = 0;
            while (count < ticks.Length)
            {
                var before = Stopwatch.GetTimestamp();
                if (before >= end)
                {
                    break;
                }

                await grains[(caller * 7 + count) % grains.Count].PingAsync(count).ConfigureAwait(false);
                ticks[count++] = Stopwatch.GetTimestamp() - before;
            }

            return count;
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var all = samples.SelectMany((ticks, caller) => ticks.Take(counts[caller])).Order().ToArray();
        return new Result(all, all.Length / elapsed.TotalSeconds, allocated / Math.Max(1, all.Length));
    }

    private static string Format(double microseconds) =>
        microseconds >= 1_000 ? $"{microseconds / 1_000:0.00} ms" : $"{microseconds:0.0} µs";

    private sealed record Result(long[] SortedTicks, double CallsPerSecond, long AllocatedPerCall)
    {
        public int Calls => SortedTicks.Length;

        /// <summary>Nearest-rank percentile, in microseconds.</summary>
        public double Percentile(double fraction)
        {
            var rank = (int)Math.Ceiling(fraction * SortedTicks.Length) - 1;
            return SortedTicks[Math.Clamp(rank, 0, SortedTicks.Length - 1)] * 1_000_000.0 / Stopwatch.Frequency;
        }
    }
}
