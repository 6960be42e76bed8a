using System.Globalization;
using UserData.TestSupport;

namespace UserData.Cluster.Tests.Support;

/// <summary>A <c>src/Silo</c> process of a <see cref="LocalCluster"/>, with the ports it listens on.</summary>
public sealed class SiloProcess(string name, HostProcess process, int siloPort, int gatewayPort) : IAsyncDisposable
{
    public string Name { get; } = name;

    public HostProcess Process { get; } = process;

    public int SiloPort { get; } = siloPort;

    public int GatewayPort { get; } = gatewayPort;

    /// <summary>Whether <paramref name="siloAddress"/> (Orleans' <c>S127.0.0.1:port:generation</c>) is this process's silo.</summary>
    public bool Is(string siloAddress) =>
        siloAddress.StartsWith($"S127.0.0.1:{SiloPort.ToString(CultureInfo.InvariantCulture)}:", StringComparison.Ordinal);

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    public override string ToString() => $"{Name} (silo port {SiloPort.ToString(CultureInfo.InvariantCulture)})";
}
