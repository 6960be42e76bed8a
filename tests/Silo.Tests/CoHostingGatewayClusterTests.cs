using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using UserData.TestSupport;
using UserData.TestSupport.Tls;

namespace UserData.Silo.Tests;

/// <summary>
/// A gateway process co-hosting a silo (the default) and a silo process in one DynamoDB cluster on DynamoDB Local, with
/// mutual TLS from one CA: both are Active, and users whose grains run on either are served through the HTTP API.
/// </summary>
public sealed class CoHostingGatewayClusterTests : IDisposable
{
    private const string AdminEmail = "admin@cohost.example";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-cohost-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_co_hosting_gateway_and_a_silo_process_are_both_Active_and_both_run_user_grains()
    {
        var dynamoDB = await DynamoDbLocal.Shared;
        using var authority = TestCertificateAuthority.Create("cohost-ca", _folder);
        var tablePrefix = DynamoDbLocal.NewTablePrefix();
        var siloSettings = ClusterProcessSettings.Member(dynamoDB.ServiceUrl, tablePrefix, "cohost", authority.Issue("silo"));
        var gatewaySettings = ClusterProcessSettings.Member(dynamoDB.ServiceUrl, tablePrefix, "cohost", authority.Issue("gateway")).AsGateway(AdminEmail);
        await using var silo = await HostProcess.StartAsync("UserData.Silo.dll", siloSettings);
        await using var gateway = await HostProcess.StartAsync("UserData.Gateway.dll", gatewaySettings);
        using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(30) };
        string[] expected = [SiloPrefix(gatewaySettings), SiloPrefix(siloSettings)];

        var admin = await RegisterAsync(http, AdminEmail);
        await Eventually.TrueAsync(
            async () =>
            {
                var active = await ActiveSilosAsync(http, admin);
                return active.Count == 2 && expected.All(prefix => active.Any(address => address.StartsWith(prefix, StringComparison.Ordinal)));
            },
            Deadline,
            "both silos Active in the membership the gateway reads");

        // Orleans places new user grains over both silos; every call goes through the gateway's HTTP API. Users are
        // added until both processes have run user grain calls.
        var users = new List<string>();
        await Eventually.TrueAsync(
            async () =>
            {
                var token = await RegisterAsync(http, $"user{users.Count.ToString(CultureInfo.InvariantCulture)}@cohost.example");
                using var created = await SendAsync(http, HttpMethod.Post, "/api/v1/me/tasks", token, new JsonObject { ["name"] = "a task" });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                users.Add(token);
                return await UserGrainCallsAsync(gateway.Address) > 0 && await UserGrainCallsAsync(silo.Address) > 0;
            },
            Deadline,
            "user grain calls on both the gateway's silo and the silo process");
        foreach (var token in users)
        {
            using var tasks = await SendAsync(http, HttpMethod.Get, "/api/v1/me/tasks", token);
            var body = await tasks.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, tasks.StatusCode);
            Assert.Equal("a task", JsonNode.Parse(body)!["data"]!.AsArray().Single()!["name"]!.GetValue<string>());
        }
    }

    /// <summary>How Orleans names the process's silo in the membership: <c>S127.0.0.1:{silo port}:</c>, then its generation.</summary>
    private static string SiloPrefix(Dictionary<string, string> settings) => $"S127.0.0.1:{settings["Cluster__SiloPort"]}:";

    private static async Task<IReadOnlyList<string>> ActiveSilosAsync(HttpClient http, string token)
    {
        using var response = await SendAsync(http, HttpMethod.Get, "/api/v1/admin/cluster", token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return [.. JsonNode.Parse(body)!["data"]!["silos"]!.AsArray()
            .Where(silo => silo!["status"]!.GetValue<string>() == "Active")
            .Select(silo => silo!["address"]!.GetValue<string>())];
    }

    /// <summary>Calls to user grains the process's silo has run, from its <c>/metrics</c>.</summary>
    private static async Task<double> UserGrainCallsAsync(Uri process)
    {
        using var http = new HttpClient { BaseAddress = process };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return metrics.Split('\n')
            .Where(line => line.StartsWith("userdata_grain_call_duration_seconds_count{", StringComparison.Ordinal)
                && line.Contains("grain_type=\"user\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static async Task<string> RegisterAsync(HttpClient http, string email)
    {
        using var response = await http.PostAsJsonAsync(
            new Uri("/api/v1/auth/register", UriKind.Relative), new { email, password = ClusterProcessSettings.Password });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!["data"]!["access_token"]!.GetValue<string>();
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await http.SendAsync(request);
    }
}
