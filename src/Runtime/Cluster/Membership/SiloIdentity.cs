namespace UserData.Runtime.Cluster.Membership;

/// <summary>Registered only in a process that runs a silo: where its silo port is reached, <c>host:port</c>.</summary>
public sealed record SiloIdentity(string Address);
