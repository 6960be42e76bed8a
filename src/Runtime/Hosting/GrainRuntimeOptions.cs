using System.ComponentModel.DataAnnotations;

namespace UserData.Runtime.Hosting;

/// <summary>Limits and timings of the grain runtime (configuration section <c>Runtime</c>).</summary>
public sealed class GrainRuntimeOptions
{
    public const string SectionName = "Runtime";

    /// <summary>An activation unused this long is collected (Orleans' default: 15 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "10675199.00:00:00")]
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the collector looks for idle activations.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A caller waits this long for an answer, then gets <see cref="Grains.GrainCallTimeoutException"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Calls waiting behind the running one; one more is rejected at once with <see cref="Grains.GrainOverloadedException"/>.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueueLength { get; set; } = 5_000;

    /// <summary>A journaled grain writes a snapshot after this many events (and at deactivation).</summary>
    [Range(1, 1_000_000)]
    public int SnapshotInterval { get; set; } = 100;
}
