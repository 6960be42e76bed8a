namespace UserData.Runtime.Cluster.Membership;

/// <summary>A silo's state in the membership table; only <see cref="Active"/> silos own grains.</summary>
public enum SiloStatus
{
    Joining,
    Active,
    ShuttingDown,
    Dead,
}
