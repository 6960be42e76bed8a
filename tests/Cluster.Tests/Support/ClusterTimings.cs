namespace UserData.Cluster.Tests.Support;

/// <summary>
/// Orleans' <c>ClusterMembershipOptions</c> (<c>Cluster__Membership__*</c>) and <c>ActivationRepartitionerOptions</c>
/// (<c>Cluster__Repartitioning__*</c>) as the processes get them: the short timings the tests run with, or none at all,
/// which leaves Orleans' production defaults.
/// </summary>
public static class ClusterTimings
{
    /// <summary>
    /// Probes every second (Orleans adapts the period between half and four times this), a silo suspected after 3 missed
    /// probes, the table re-read every 2 s: a SIGKILLed silo is declared dead within a few seconds. The repartitioner
    /// exchanges activations every 2-4 s instead of every 1-2 minutes.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Test { get; } = new Dictionary<string, string>
    {
        ["Cluster__Membership__ProbeTimeout"] = "00:00:01",
        ["Cluster__Membership__NumMissedProbesLimit"] = "3",
        ["Cluster__Membership__TableRefreshTimeout"] = "00:00:02",
        ["Cluster__Membership__IAmAliveTablePublishTimeout"] = "00:00:05",
        ["Cluster__Repartitioning__MinRoundPeriod"] = "00:00:02",
        ["Cluster__Repartitioning__MaxRoundPeriod"] = "00:00:04",
        ["Cluster__Repartitioning__RecoveryPeriod"] = "00:00:01",
    };

    /// <summary>Orleans' defaults: nothing set.</summary>
    public static IReadOnlyDictionary<string, string> Production { get; } = new Dictionary<string, string>();
}
