using UserData.Runtime.Hosting;

namespace UserData.Runtime.Tests.Hosting;

/// <summary>The CPU percent is the process CPU time between two samples over the (here: manual) clock time between them.</summary>
public sealed class ProcessUsageSamplerTests
{
    [Fact]
    public void The_cpu_percent_is_the_process_cpu_time_over_the_interval_as_a_share_of_all_cores()
    {
        var clock = new ManualClock();
        var beforeSampler = Environment.CpuUsage.TotalTime;
        var sampler = new ProcessUsageSampler(clock);
        var start = Environment.CpuUsage.TotalTime;
        while (Environment.CpuUsage.TotalTime - start < TimeSpan.FromMilliseconds(300))
        {
            Thread.SpinWait(10_000);
        }

        var burned = Environment.CpuUsage.TotalTime - start;
        clock.Advance(TimeSpan.FromSeconds(2));
        var usage = sampler.Sample();
        var afterSample = Environment.CpuUsage.TotalTime;

        // The sampler's delta lies between what this thread measured inside its readings and what the process used around them.
        var low = 100 * burned / TimeSpan.FromSeconds(2) / Environment.ProcessorCount;
        var high = Math.Min(100, 100 * (afterSample - beforeSampler) / TimeSpan.FromSeconds(2) / Environment.ProcessorCount);
        Assert.InRange(usage.CpuPercentOfMachine, low, high);
        Assert.True(usage.WorkingSetBytes > 0);
        Assert.True(usage.GcHeapBytes > 0);
    }

    [Fact]
    public void A_sample_sooner_than_a_second_after_the_last_keeps_the_last_figure()
    {
        var clock = new ManualClock();
        var sampler = new ProcessUsageSampler(clock);
        clock.Advance(TimeSpan.FromSeconds(5));
        var first = sampler.Sample().CpuPercentOfMachine;
        var start = Environment.CpuUsage.TotalTime;
        while (Environment.CpuUsage.TotalTime - start < TimeSpan.FromMilliseconds(100))
        {
            Thread.SpinWait(10_000);
        }

        clock.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(first, sampler.Sample().CpuPercentOfMachine);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
