namespace UserData.Grains.Users;

/// <summary>
/// What one user may store and how much history and response a user keeps (configuration section <c>Quota</c>),
/// validated at start (<see cref="IsValid"/>).
/// </summary>
public sealed class UserQuotaOptions
{
    public const string SectionName = "Quota";

    /// <summary>Tasks of any status, archived and deleted included (a deleted task stays in the user's state).</summary>
    public int MaxTasks { get; set; } = 1_000;

    /// <summary>
    /// The journal bytes of history a user keeps: beyond it the oldest whole segments of history are compacted (their
    /// events' content erased, their audit entries gone from the audit trail and the export).
    /// </summary>
    public long MaxHistoryBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The JSON bytes of the entries of one audit page (or export slice): a page stops before it would go past.</summary>
    public int MaxAuditPageBytes { get; set; } = 1024 * 1024;

    /// <summary>Why options are refused at start.</summary>
    public const string Requirement =
        "Quota:MaxTasks (Quota__MaxTasks) must be at least 1, Quota:MaxHistoryBytes at least 262144 (one history segment) " +
        "and Quota:MaxAuditPageBytes at least 65536 (one audit entry of the largest attribute change).";

    /// <summary>
    /// A user keeps at least one whole history segment, and an audit page at least one entry, so smaller values would only
    /// look stricter than they are.
    /// </summary>
    public bool IsValid => MaxTasks >= 1 && MaxHistoryBytes >= UserState.HistorySegmentBytes && MaxAuditPageBytes >= 64 * 1024;
}
