using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using UserData.TestSupport;
using UserData.TestSupport.Tls;

namespace UserData.Cluster.Tests.Support;

/// <summary>A silo as the gateway's admin API lists it (Orleans' management grain).</summary>
public sealed record SiloStatusRow(string Address, string Status, int Activations);

/// <summary>
/// The product as ECS runs it, on this machine: <c>src/Silo</c> processes and a pure <c>src/Gateway</c> process
/// (<c>Gateway__CoHostSilo=false</c>) clustered in DynamoDB Local (its own table prefix and cluster id), with mutual TLS
/// from a CA made for the cluster, and the membership and repartitioning timings given. Every process is started with
/// its settings in environment variables, as the CloudFormation stack passes them.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    public const string AdminEmail = "admin@cluster.example";

    private const int StartAttempts = 3;

    private readonly List<SiloProcess> _silos = [];
    private readonly IReadOnlyDictionary<string, string> _timings;
    private HostProcess? _gateway;
    private HttpClient? _http;
    private string? _adminToken;
    private int _nextName;

    private LocalCluster(string folder, string serviceUrl, IReadOnlyDictionary<string, string> timings)
    {
        Folder = folder;
        ServiceUrl = serviceUrl;
        _timings = timings;
        Authority = TestCertificateAuthority.Create("cluster-ca", folder);
    }

    /// <summary>Where the certificates and other files of this cluster are.</summary>
    public string Folder { get; }

    public string ServiceUrl { get; }

    public string TablePrefix { get; } = DynamoDbLocal.NewTablePrefix();

    public string ClusterId { get; } = "cluster-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The cluster's CA: every process it admits has a certificate from it.</summary>
    public TestCertificateAuthority Authority { get; }

    /// <summary>Silo processes started by <see cref="StartSiloAsync"/> that have not exited.</summary>
    public IReadOnlyList<SiloProcess> Silos => [.. _silos.Where(silo => !silo.Process.HasExited)];

    public HostProcess Gateway => _gateway ?? throw new InvalidOperationException("The gateway has not been started.");

    /// <summary>An HTTP client of the gateway (long timeout: a call waiting on a dead silo must come back with the gateway's answer).</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("The gateway has not been started.");

    /// <summary>
    /// The pure gateway's Orleans response timeout: how long a call that was on its way through a silo when that silo was
    /// SIGKILLed waits before the gateway answers 503 (Orleans' 30 s default otherwise).
    /// </summary>
    public static readonly TimeSpan GatewayResponseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A cluster on the test process's DynamoDB Local; nothing runs yet.</summary>
    public static async Task<LocalCluster> CreateAsync(IReadOnlyDictionary<string, string> timings)
    {
        var dynamoDB = await DynamoDbLocal.Shared.ConfigureAwait(false);
        return new LocalCluster(Directory.CreateTempSubdirectory("userdata-cluster-").FullName, dynamoDB.ServiceUrl, timings);
    }

    /// <summary>Starts the silos and then the pure gateway, and registers the admin.</summary>
    public async Task StartAsync(int silos)
    {
        // One after another: silos starting together on two cores stall each other's probes past the short test timings.
        for (var i = 0; i < silos; i++)
        {
            await StartSiloAsync().ConfigureAwait(false);
        }

        var gateway = MemberSettings(Authority.Issue("gateway")).AsGateway(AdminEmail);
        gateway["Gateway__CoHostSilo"] = "false";
        gateway["Cluster__Messaging__ResponseTimeout"] = GatewayResponseTimeout.ToString("c", CultureInfo.InvariantCulture);
        _gateway = await HostProcess.StartAsync("UserData.Gateway.dll", gateway).ConfigureAwait(false);
        _http = new HttpClient { BaseAddress = _gateway.Address, Timeout = TimeSpan.FromMinutes(2) };
        _adminToken = (await ApiUsers.RegisterAsync(Http, [AdminEmail]).ConfigureAwait(false))[0].AccessToken;
    }

    /// <summary>
    /// Starts one more silo with a certificate from the cluster's CA, and waits until it is ready (Active). A start that
    /// fails (on a starved machine the others may declare a joining silo dead within the short test timings) is tried
    /// again as a new process, as ECS replaces a task that exits; the last failure is thrown.
    /// </summary>
    public async Task<SiloProcess> StartSiloAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var name = NextName("silo");
            var settings = MemberSettings(Authority.Issue(name));
            try
            {
                var process = await HostProcess.StartAsync("UserData.Silo.dll", settings).ConfigureAwait(false);
                var silo = new SiloProcess(
                    name, process, int.Parse(settings["Cluster__SiloPort"], CultureInfo.InvariantCulture), int.Parse(settings["Cluster__GatewayPort"], CultureInfo.InvariantCulture));
                lock (_silos)
                {
                    _silos.Add(silo);
                }

                return silo;
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException && attempt < StartAttempts)
            {
                // The process exited or was not ready in time (HostProcess.StartAsync has stopped it): start a new one.
            }
        }
    }

    /// <summary>The settings of a process of this cluster with its own ports, mutual TLS from <paramref name="tls"/> (none: TLS unset).</summary>
    public Dictionary<string, string> MemberSettings(TlsFiles? tls)
    {
        var settings = ClusterProcessSettings.Member(ServiceUrl, TablePrefix, ClusterId, tls);
        foreach (var (key, value) in _timings)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The silos the admin API lists (all statuses), read through the gateway.</summary>
    public async Task<IReadOnlyList<SiloStatusRow>> SilosAsync()
    {
        using var request = ApiUsers.Request(HttpMethod.Get, "/api/v1/admin/cluster", _adminToken);
        using var response = await Http.SendAsync(request).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET /api/v1/admin/cluster: {(int)response.StatusCode} {body}");
        }

        return [.. JsonNode.Parse(body)!["data"]!["silos"]!.AsArray().Select(silo => new SiloStatusRow(
            silo!["address"]!.GetValue<string>(), silo["status"]!.GetValue<string>(), silo["activations"]!.GetValue<int>()))];
    }

    /// <summary>The addresses of the Active silos, as the admin API lists them.</summary>
    public async Task<IReadOnlyList<string>> ActiveSilosAsync() =>
        [.. (await SilosAsync().ConfigureAwait(false)).Where(silo => silo.Status == "Active").Select(silo => silo.Address)];

    /// <summary>The running silo with the most activations (as the admin API lists them): the one whose loss moves the most grains.</summary>
    public async Task<SiloProcess> BusiestSiloAsync()
    {
        var rows = await SilosAsync().ConfigureAwait(false);
        return Silos.MaxBy(silo => rows.Where(row => silo.Is(row.Address)).Sum(row => row.Activations))!;
    }

    /// <summary>Every process's output, for a failing test's report.</summary>
    public string Report()
    {
        var parts = _silos.Select(silo => $"--- {silo}, {(silo.Process.HasExited ? $"exited {silo.Process.ExitCode}" : "running")}:\n{silo.Process.Output}");
        return string.Join('\n', parts.Append($"--- gateway:\n{_gateway?.Output}"));
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_silos.Select(silo => silo.DisposeAsync().AsTask())).ConfigureAwait(false);
        Authority.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    /// <summary>A name for a process and its certificate, unique in this cluster.</summary>
    public string NextName(string role) => $"{role}-{Interlocked.Increment(ref _nextName).ToString(CultureInfo.InvariantCulture)}";
}
