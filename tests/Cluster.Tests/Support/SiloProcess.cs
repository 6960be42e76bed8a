using System.Globalization;
using UserData.TestSupport;

namespace UserData.Cluster.Tests.Support;

/// <summary>The product's silo (<c>src/Silo</c>, with the user grains) in a process of its own, on free loopback ports.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private SiloProcess(HostProcess process, int siloPort)
    {
        Process = process;
        SiloPort = siloPort;
    }

    public HostProcess Process { get; }

    public int SiloPort { get; }

    /// <summary>The id it joins with is <c>127.0.0.1:{SiloPort}@...</c>.</summary>
    public string AddressPrefix => $"127.0.0.1:{SiloPort.ToString(CultureInfo.InvariantCulture)}@";

    public static async Task<SiloProcess> StartAsync(ClusterEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var siloPort = LoopbackPort.Next();
        var process = await HostProcess.StartAsync("UserData.Silo.dll", new Dictionary<string, string>(), arguments: environment.SiloSettings(siloPort));
        return new SiloProcess(process, siloPort);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
