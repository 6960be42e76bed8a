namespace UserData.Runtime.Cluster.Membership;

/// <summary>The membership table of one cluster. Every write is conditional on the row's current state.</summary>
public interface IMembershipTable
{
    Task<IReadOnlyList<MembershipEntry>> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>Adds the row of a new silo; fails if the id exists.</summary>
    Task InsertAsync(MembershipEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Renews a silo's own row (status, heartbeat, activation counts). False when the row is gone or Dead: others
    /// declared this silo dead, and it must not serve grains again.
    /// </summary>
    Task<bool> RenewAsync(MembershipEntry entry, CancellationToken cancellationToken);

    /// <summary>Marks another silo Dead, only if its heartbeat is still <paramref name="observedHeartbeat"/>. True if it did.</summary>
    Task<bool> DeclareDeadAsync(string siloId, DateTimeOffset observedHeartbeat, CancellationToken cancellationToken);

    /// <summary>Deletes a row only if it is Dead.</summary>
    Task DeleteDeadAsync(string siloId, CancellationToken cancellationToken);
}
