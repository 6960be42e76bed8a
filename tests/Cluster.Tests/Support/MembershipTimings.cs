namespace UserData.Cluster.Tests.Support;

/// <summary>
/// Orleans' <c>ClusterMembershipOptions</c> as the processes get them (<c>Cluster__Membership__*</c>): the short timings
/// the tests run with, or none at all, which leaves Orleans' production defaults.
/// </summary>
public static class MembershipTimings
{
    /// <summary>
    /// Probes every second (Orleans adapts the period between half and four times this), a silo suspected after 3 missed
    /// probes, the table re-read every 2 s: a SIGKILLed silo is declared dead within a few seconds.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Test { get; } = new Dictionary<string, string>
    {
        ["Cluster__Membership__ProbeTimeout"] = "00:00:01",
        ["Cluster__Membership__NumMissedProbesLimit"] = "3",
        ["Cluster__Membership__TableRefreshTimeout"] = "00:00:02",
        ["Cluster__Membership__IAmAliveTablePublishTimeout"] = "00:00:05",
    };

    /// <summary>Orleans' defaults: nothing set.</summary>
    public static IReadOnlyDictionary<string, string> Production { get; } = new Dictionary<string, string>();
}
