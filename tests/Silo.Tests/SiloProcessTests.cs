using System.Globalization;
using System.Net;
using UserData.TestSupport;
using UserData.TestSupport.Tls;

namespace UserData.Silo.Tests;

/// <summary>
/// <c>dotnet UserData.Silo.dll</c> as a process of its own: alone on SQLite (Orleans' localhost clustering) and as the
/// first member of a DynamoDB cluster on DynamoDB Local with mutual TLS.
/// </summary>
public sealed class SiloProcessTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-silo-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_local_silo_answers_health_at_once_and_is_ready_with_metrics()
    {
        await using var silo = HostProcess.Launch("UserData.Silo.dll", new Dictionary<string, string>
        {
            ["Storage__Sqlite__Path"] = Path.Combine(_folder, "silo.db"),
            ["Cluster__SiloPort"] = LoopbackPort.Next().ToString(CultureInfo.InvariantCulture),
            ["Cluster__GatewayPort"] = LoopbackPort.Next().ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
        });

        await AssertLiveThenReadyAsync(silo);
        using var http = new HttpClient { BaseAddress = silo.Address };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("# TYPE orleans_", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clustered_silo_with_mutual_TLS_on_DynamoDB_Local_is_live_and_then_ready_once_Active()
    {
        var dynamoDB = await DynamoDbLocal.Shared;
        using var authority = TestCertificateAuthority.Create("silo-tests-ca", _folder);
        var settings = ClusterProcessSettings.Member(dynamoDB.ServiceUrl, DynamoDbLocal.NewTablePrefix(), "silo-tests", authority.Issue("silo"));
        await using var silo = HostProcess.Launch("UserData.Silo.dll", settings);

        await AssertLiveThenReadyAsync(silo);
    }

    /// <summary>
    /// The first answer of <c>/health</c> is 200 <c>{"status":"ok"}</c>; <c>/health/ready</c> becomes 200
    /// <c>{"status":"ready"}</c>, and the process keeps running.
    /// </summary>
    private static async Task AssertLiveThenReadyAsync(HostProcess silo)
    {
        using var http = new HttpClient { BaseAddress = silo.Address, Timeout = TimeSpan.FromSeconds(10) };
        HttpResponseMessage? live = null;
        await Eventually.TrueAsync(
            async () =>
            {
                Assert.False(silo.HasExited, $"the silo exited with {(silo.HasExited ? silo.ExitCode : 0)}:\n{silo.Output}");
                live = await AnswerAsync(http, "/health");
                return live is not null;
            },
            Deadline,
            "the silo answers /health");
        using (live)
        {
            Assert.Equal(HttpStatusCode.OK, live!.StatusCode);
            Assert.Equal("""{"status":"ok"}""", await live.Content.ReadAsStringAsync());
        }

        await silo.WaitUntilReadyAsync(Deadline);
        using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("""{"status":"ready"}""", await ready.Content.ReadAsStringAsync());
        Assert.False(silo.HasExited, silo.Output);
    }

    /// <summary>The response, or null while nothing listens yet.</summary>
    private static async Task<HttpResponseMessage?> AnswerAsync(HttpClient http, string path)
    {
        try
        {
            return await http.GetAsync(new Uri(path, UriKind.Relative));
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
