using System.Diagnostics;

namespace UserData.Runtime.Hosting;

/// <summary>What this process uses of the machine, as a silo reports it in its membership row and the dashboard shows it.</summary>
/// <param name="CpuPercentOfMachine">The process's CPU time (user and system) over the sampling interval, as a percent of all the
/// machine's cores together (0-100): 50 on a 2-core machine is one core busy.</param>
/// <param name="WorkingSetBytes">Physical memory the process holds.</param>
/// <param name="GcHeapBytes">Bytes the managed heap holds (live objects and garbage not yet collected).</param>
public sealed record ProcessUsage(double CpuPercentOfMachine, long WorkingSetBytes, long GcHeapBytes);

/// <summary>
/// Samples <see cref="ProcessUsage"/>: the CPU percent is the process CPU time delta since the previous sample over the
/// wall-clock delta, so it needs no timer of its own; the caller's rhythm (a heartbeat, a dashboard poll) sets the interval.
/// </summary>
public sealed class ProcessUsageSampler
{
    // Shorter intervals (two dashboards polling at once) would make a noisy figure: the previous one is kept instead.
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private TimeSpan _cpu;
    private long _at;
    private double _percent;

    public ProcessUsageSampler(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _cpu = Environment.CpuUsage.TotalTime;
        _at = _time.GetTimestamp();

        // Until the first interval ends: the average since the process started.
        using var process = Process.GetCurrentProcess();
        _percent = Percent(_cpu, DateTime.Now - process.StartTime);
    }

    public ProcessUsage Sample()
    {
        var cpu = Environment.CpuUsage.TotalTime;
        var now = _time.GetTimestamp();
        double percent;
        lock (_lock)
        {
            var elapsed = _time.GetElapsedTime(_at, now);
            if (elapsed >= MinimumInterval)
            {
                _percent = Percent(cpu - _cpu, elapsed);
                _cpu = cpu;
                _at = now;
            }

            percent = _percent;
        }

        return new ProcessUsage(percent, Environment.WorkingSet, GC.GetTotalMemory(forceFullCollection: false));
    }

    private static double Percent(TimeSpan cpu, TimeSpan elapsed) =>
        elapsed <= TimeSpan.Zero ? 0 : Math.Clamp(100 * cpu / elapsed / Environment.ProcessorCount, 0, 100);
}
