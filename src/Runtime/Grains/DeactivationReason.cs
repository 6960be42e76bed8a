namespace UserData.Runtime.Grains;

public enum DeactivationReason
{
    /// <summary>Unused for longer than the collection age.</summary>
    Idle,

    /// <summary>The grain asked for it.</summary>
    Requested,

    /// <summary>Another activation of the grain wrote first: this one's state is behind.</summary>
    Stale,

    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,
}
