using System.Globalization;

namespace UserData.Cluster.Tests.Support;

/// <summary>Counters of one silo process, read in one scrape of its <c>/metrics</c>.</summary>
/// <param name="GatewayReceived">Messages from clients (the pure gateway) that arrived through this silo's gateway.</param>
/// <param name="UserGrainCalls">Calls to user grains this silo has run.</param>
public sealed record SiloCounters(double GatewayReceived, double UserGrainCalls)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static async Task<SiloCounters> ReadAsync(SiloProcess silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var lines = (await Http.GetStringAsync(new Uri(silo.Process.Address, "/metrics")).ConfigureAwait(false)).Split('\n');
        return new SiloCounters(
            Sum(lines, "orleans_gateway_received_total", ""),
            Sum(lines, "userdata_grain_call_duration_seconds_count{", "grain_type=\"user\""));
    }

    public SiloCounters Since(SiloCounters before)
    {
        ArgumentNullException.ThrowIfNull(before);
        return new SiloCounters(GatewayReceived - before.GatewayReceived, UserGrainCalls - before.UserGrainCalls);
    }

    private static double Sum(IEnumerable<string> lines, string family, string label) => lines
        .Where(line => line.StartsWith(family, StringComparison.Ordinal) && line.Contains(label, StringComparison.Ordinal))
        .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
