using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using UserData.Gateway.Hosting;
using UserData.Runtime.Cluster.Transport;
using UserData.TestSupport;

namespace UserData.Silo.Tests;

/// <summary>
/// A gateway that co-hosts a silo (the default) in a DynamoDB cluster next to a silo process, on dynalite: both join,
/// both own users, the HTTP API reaches all of them, and the dashboard of the co-hosting and of a pure gateway lists
/// both silos with their CPU and memory. The processes run from a working directory that holds no dashboard files.
/// </summary>
public sealed class CoHostingGatewayClusterTests : IDisposable
{
    private const string AdminEmail = "admin@example.com";
    private const string Password = "correct horse battery";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-cohost-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_co_hosting_gateway_and_a_silo_process_are_both_Active_and_serve_users_owned_by_either()
    {
        await using var dynalite = await DynaliteServer.StartAsync();
        var settings = ClusterSettings(dynalite.ServiceUrl);
        var siloPort = LoopbackPort.Next();
        var gatewaySiloPort = LoopbackPort.Next();
        await using var silo = await HostProcess.StartAsync("UserData.Silo.dll", With(settings, "Cluster__SiloPort", siloPort), _folder);
        await using var gateway = await HostProcess.StartAsync("UserData.Gateway.dll", With(settings, "Cluster__SiloPort", gatewaySiloPort), _folder);
        using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(30) };
        var expected = new[] { $"127.0.0.1:{gatewaySiloPort}", $"127.0.0.1:{siloPort}" };

        var admin = await RegisterAsync(http, AdminEmail);
        await Eventually.TrueAsync(
            async () => SilosOf(await GetDataAsync(http, "/api/v1/admin/cluster", admin))
                .Where(one => one["status"]!.GetValue<string>() == "Active").Select(one => one["address"]!.GetValue<string>())
                .Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)),
            Deadline,
            "both silos Active in the membership the gateway reads");

        // Rendezvous hashing spreads users over both silos; every call goes through the gateway's HTTP API.
        var users = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            var token = await RegisterAsync(http, $"user{i}@example.com");
            using var created = await SendAsync(http, HttpMethod.Post, "/api/v1/me/tasks", token, new JsonObject { ["name"] = $"task {i}" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            users.Add(token);
        }

        await Eventually.TrueAsync(
            async () => await UserActivationsAsync(gateway.Address) > 0 && await UserActivationsAsync(silo.Address) > 0,
            Deadline,
            "user grains active on both the gateway's silo and the silo process");
        foreach (var token in users)
        {
            using var tasks = await SendAsync(http, HttpMethod.Get, "/api/v1/me/tasks", token);
            Assert.Equal(HttpStatusCode.OK, tasks.StatusCode);
        }

        await AssertDashboardListsAsync(http, admin, expected);

        // A pure gateway reads the same membership rows.
        await using var pure = await GatewayApplication.CreateAsync(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(
            With(settings, "Gateway__CoHostSilo", "false").ToDictionary(pair => pair.Key.Replace("__", ":", StringComparison.Ordinal), pair => (string?)pair.Value)));
        await pure.StartAsync();
        using var pureHttp = new HttpClient { BaseAddress = new Uri(pure.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
        await AssertDashboardListsAsync(pureHttp, admin, expected);
        await AssertClusterWideFiguresAsync(pureHttp, admin, [gateway.Address, silo.Address]);
        await pure.StopAsync();
    }

    [Fact]
    public async Task A_pure_gateways_snapshot_lists_an_Active_silo_that_does_not_answer_as_missing_and_still_succeeds()
    {
        await using var dynalite = await DynaliteServer.StartAsync();
        var settings = ClusterSettings(dynalite.ServiceUrl);
        var siloPort = LoopbackPort.Next();
        var address = $"127.0.0.1:{siloPort}";
        await using var pure = await GatewayApplication.CreateAsync(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(
            With(settings, "Gateway__CoHostSilo", "false").ToDictionary(pair => pair.Key.Replace("__", ":", StringComparison.Ordinal), pair => (string?)pair.Value)));
        var silo = await HostProcess.StartAsync("UserData.Silo.dll", With(settings, "Cluster__SiloPort", siloPort), _folder);
        string admin;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using (silo)
        {
            await pure.StartAsync();
            http.BaseAddress = new Uri(pure.Urls.First());
            admin = await RegisterAsync(http, AdminEmail);
            await AssertDashboardListsAsync(http, admin, [address]);
            Assert.Empty((await GetDataAsync(http, "/api/v1/admin/dashboard/snapshot", admin))["missing_metrics"]!.AsArray());
        }

        // Killed: its row stays Active until the suspicion timeout, and its port refuses the connection meanwhile.
        await Eventually.TrueAsync(
            async () => (await GetDataAsync(http, "/api/v1/admin/dashboard/snapshot", admin))["missing_metrics"]!.AsArray()
                .Select(one => one!.GetValue<string>()).SequenceEqual([address]),
            Deadline,
            $"the snapshot lists {address} as missing");
        await pure.StopAsync();
    }

    [Fact]
    public async Task The_co_hosting_gateways_silo_port_reads_calls_larger_than_the_APIs_64_KiB_body_limit()
    {
        await using var dynalite = await DynaliteServer.StartAsync();
        var settings = ClusterSettings(dynalite.ServiceUrl);
        var siloPort = LoopbackPort.Next();
        await using var gateway = await HostProcess.StartAsync("UserData.Gateway.dll", With(settings, "Cluster__SiloPort", siloPort), _folder);
        using var http = new HttpClient();
        var body = Encoding.UTF8.GetBytes(new string('x', 200 * 1024));
        var (timestamp, nonce, signature) = new RequestSigner(settings["Cluster__Secret"], TimeSpan.FromMinutes(5)).Sign("POST", "/cluster/v1/call", body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{siloPort}/cluster/v1/call"))
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Add(RequestSigner.TimestampHeader, timestamp);
        request.Headers.Add(RequestSigner.NonceHeader, nonce);
        request.Headers.Add(RequestSigner.SignatureHeader, signature);

        using var response = await http.SendAsync(request);

        // Read whole (a cut-off body is 413), its signature checked (else 401), then refused as no call it can decode.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_gateway_process_serves_the_dashboard_from_any_working_directory()
    {
        await using var gateway = await HostProcess.StartAsync(
            "UserData.Gateway.dll",
            new Dictionary<string, string>
            {
                ["Storage__Sqlite__Path"] = Path.Combine(_folder, "userdata.db"),
                ["Auth__SigningKey"] = SigningKey,
                ["Logging__LogLevel__Default"] = "Warning",
            },
            _folder);
        using var http = new HttpClient { BaseAddress = gateway.Address };

        using var page = await http.GetAsync(new Uri("/dashboard", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>UserData operator dashboard</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var (file, type) in new[] { ("/dashboard/dashboard.js", "text/javascript"), ("/dashboard/dashboard.css", "text/css") })
        {
            using var response = await http.GetAsync(new Uri(file, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100, $"{file} is empty");
        }
    }

    private static string SigningKey { get; } = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private static Dictionary<string, string> ClusterSettings(string serviceUrl) => new()
    {
        ["Storage__Provider"] = "DynamoDB",
        ["Storage__DynamoDB__ServiceUrl"] = serviceUrl,
        ["Storage__DynamoDB__TablePrefix"] = $"t{Guid.NewGuid():N}-",
        ["Cluster__Provider"] = "DynamoDB",
        ["Cluster__Secret"] = "cohost-tests-secret-0123456789",
        ["Cluster__AdvertisedAddress"] = "127.0.0.1",
        ["Cluster__HeartbeatInterval"] = "00:00:01",
        ["Auth__SigningKey"] = SigningKey,
        ["Auth__EmailKey"] = SigningKey,
        ["Auth__PasswordHasher__IterationCount"] = "1000",
        ["Bootstrap__AdminEmails"] = AdminEmail,
        ["RateLimits__RegisterPerMinute"] = "100000",
        ["RateLimits__LoginPerMinute"] = "100000",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private static Dictionary<string, string> With(Dictionary<string, string> settings, string key, object value) =>
        new(settings) { [key] = Convert.ToString(value, CultureInfo.InvariantCulture)! };

    /// <summary>The dashboard snapshot lists exactly these silos, Active, each with a recent heartbeat, CPU and memory.</summary>
    private static async Task AssertDashboardListsAsync(HttpClient http, string admin, string[] addresses)
    {
        await Eventually.TrueAsync(
            async () =>
            {
                var silos = SilosOf(await GetDataAsync(http, "/api/v1/admin/dashboard/snapshot", admin));
                return silos.Select(one => one["address"]!.GetValue<string>()).Order(StringComparer.Ordinal).SequenceEqual(addresses.Order(StringComparer.Ordinal))
                    && silos.All(one => one["status"]!.GetValue<string>() == "Active"
                        && one["heartbeat_age_seconds"]!.GetValue<double>() < 30
                        && one["cpu_percent_of_machine"] is JsonValue cpu && cpu.GetValue<double>() is >= 0 and <= 100
                        && one["working_set_bytes"] is JsonValue workingSet && workingSet.GetValue<long>() > 0
                        && one["gc_heap_bytes"] is JsonValue heap && heap.GetValue<long>() > 0);
            },
            Deadline,
            $"the dashboard at {http.BaseAddress} lists {string.Join(", ", addresses)} with CPU and memory");
    }

    /// <summary>
    /// The snapshot's grain calls and storage operations are those recorded on the silos (a pure gateway runs neither):
    /// between the sums of the silos' own <c>/metrics</c> read before and after it, and more than zero.
    /// </summary>
    private static async Task AssertClusterWideFiguresAsync(HttpClient http, string admin, Uri[] silos)
    {
        string[] families = ["grain_call_duration_seconds_count", "storage_operation_duration_seconds_count"];
        var before = await Task.WhenAll(families.Select(family => SumAsync(silos, family)));
        var snapshot = await GetDataAsync(http, "/api/v1/admin/dashboard/snapshot", admin);
        var after = await Task.WhenAll(families.Select(family => SumAsync(silos, family)));

        Assert.Empty(snapshot["missing_metrics"]!.AsArray());
        string[] sections = ["grain_methods", "storage"];
        for (var i = 0; i < sections.Length; i++)
        {
            var shown = snapshot[sections[i]]!.AsArray().Sum(one => one!["calls"]!.GetValue<long>());
            Assert.True(shown > 0 && shown >= before[i] && shown <= after[i], $"{sections[i]}: {shown} shown, the silos' /metrics had {before[i]} before and {after[i]} after");
        }
    }

    /// <summary>The sum of one family's series over the processes' /metrics.</summary>
    private static async Task<double> SumAsync(Uri[] processes, string family)
    {
        var total = 0.0;
        foreach (var process in processes)
        {
            using var http = new HttpClient { BaseAddress = process };
            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            total += metrics.Split('\n')
                .Where(line => line.StartsWith(family + "{", StringComparison.Ordinal))
                .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        }

        return total;
    }

    private static List<JsonNode> SilosOf(JsonNode data) => [.. data["silos"]!.AsArray().Select(one => one!)];

    /// <summary>grain_activations{grain_type="user"} on a process's /metrics: the user grains it hosts.</summary>
    private static async Task<double> UserActivationsAsync(Uri process)
    {
        using var http = new HttpClient { BaseAddress = process };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return metrics.Split('\n')
            .Where(line => line.StartsWith("grain_activations{", StringComparison.Ordinal) && line.Contains("grain_type=\"user\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static async Task<string> RegisterAsync(HttpClient http, string email)
    {
        using var response = await http.PostAsJsonAsync(new Uri("/api/v1/auth/register", UriKind.Relative), new { email, password = Password });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!["data"]!["access_token"]!.GetValue<string>();
    }

    private static async Task<JsonNode> GetDataAsync(HttpClient http, string path, string token)
    {
        using var response = await SendAsync(http, HttpMethod.Get, path, token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["data"]!;
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
