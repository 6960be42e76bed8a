using System.Net;
using UserData.Gateway.Tests.Support;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Metrics;

/// <summary><c>/health/ready</c> follows the store: 503 while DynamoDB is unreachable, 200 again once it is back, with no restart.</summary>
[Collection(MetricsCollection.Name)]
public sealed class ReadinessTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-ready-").FullName;
    private CuttableProxy? _proxy;
    private Microsoft.AspNetCore.Builder.WebApplication? _app;
    private HttpClient? _client;

    public async Task InitializeAsync()
    {
        _proxy = new CuttableProxy(new Uri((await DynamoDbLocal.Shared).ServiceUrl));
        _app = await OpsGateway.CreateAsync(DynamoDbGateway.DynamoDbSettings(GatewayHost.BaseSettings(_folder), _proxy.Address.ToString()));
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Readiness_fails_while_storage_is_unreachable_and_recovers_by_itself()
    {
        var api = new Support.Api(_client!);
        await api.RegisterAsync();
        Assert.Equal(HttpStatusCode.OK, await ReadyAsync());

        _proxy!.Cut();

        await Eventually.TrueAsync(async () => await ReadyAsync() == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "readiness should fail without storage");
        using (var live = await _client!.GetAsync(new Uri("/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        _proxy.Restore();

        await Eventually.TrueAsync(async () => await ReadyAsync() == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "readiness should recover with storage");
        await api.RegisterAsync();
        // A failed or timed-out check of the journal is a storage error an operator sees on /metrics.
        var metrics = PrometheusTextParser.Parse(await _client.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
        Assert.Contains(metrics["userdata_storage_operation_errors_total"].Samples, sample =>
            sample.Has("provider", "dynamodb") && sample.Has("store", "journal") && sample.Has("operation", "health") && sample.Value >= 1);
    }

    private async Task<HttpStatusCode> ReadyAsync()
    {
        using var response = await _client!.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return response.StatusCode;
    }
}
