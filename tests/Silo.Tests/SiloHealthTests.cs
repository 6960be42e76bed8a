using System.Net;
using Microsoft.AspNetCore.Builder;
using UserData.Silo.Hosting;
using UserData.TestSupport;

namespace UserData.Silo.Tests;

/// <summary>The silo host's health endpoints, on a local (Localhost, SQLite) silo and on a clustered one (dynalite).</summary>
public sealed class SiloHealthTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("silo-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_local_silo_is_live_and_ready()
    {
        var port = LoopbackPort.Next();
        await using var app = await SiloHost.BuildAsync(
            [$"--urls=http://127.0.0.1:{port}", $"--Storage:Sqlite:Path={Path.Combine(_folder, "silo.db")}", "--Logging:LogLevel:Default=Warning"],
            static _ => { });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var live = await http.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await live.Content.ReadAsStringAsync());
        using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("# TYPE grain_activations gauge", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE storage_operation_duration_seconds histogram", metrics, StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_clustered_silo_is_ready_once_Active_and_not_after_it_left()
    {
        await using var dynalite = await DynaliteServer.StartAsync();
        var port = LoopbackPort.Next();
        await using var app = await SiloHost.BuildAsync(
            [
                $"--urls=http://127.0.0.1:{port}",
                "--Storage:Provider=DynamoDB",
                $"--Storage:DynamoDB:ServiceUrl={dynalite.ServiceUrl}",
                "--Cluster:Provider=DynamoDB",
                "--Cluster:Secret=silo-tests-secret-0123456789",
                "--Cluster:AdvertisedAddress=127.0.0.1",
                $"--Cluster:SiloPort={LoopbackPort.Next()}",
                "--Cluster:HeartbeatInterval=00:00:00.200",
                "--Logging:LogLevel:Default=Warning",
            ],
            static _ => { });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await Eventually.TrueAsync(
            async () => (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK, because: "ready once Active");
        await app.StopAsync();
    }

    [Fact]
    public async Task Clustering_without_a_secret_is_refused_at_start()
    {
        var port = LoopbackPort.Next();
        var error = await Assert.ThrowsAnyAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var app = await SiloHost.BuildAsync(
                [$"--urls=http://127.0.0.1:{port}", "--Cluster:Provider=DynamoDB", "--Cluster:AdvertisedAddress=127.0.0.1", $"--Storage:Sqlite:Path={Path.Combine(_folder, "s.db")}"],
                static _ => { });
            await app.StartAsync();
        });
        Assert.Contains("Cluster:Secret", error.Message, StringComparison.Ordinal);
    }
}
