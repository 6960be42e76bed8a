using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Api;

/// <summary>What the gateway acknowledged survives a graceful restart and a SIGKILL in the middle of writes.</summary>
public abstract class DurabilityTests : IAsyncLifetime
{
    protected string Folder { get; } = Directory.CreateTempSubdirectory("userdata-durability-").FullName;

    /// <summary>The settings of every gateway of one test: the same store each time.</summary>
    protected abstract Task<Dictionary<string, string?>> SettingsAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_restarted_gateway_serves_everything_it_acknowledged()
    {
        var settings = await SettingsAsync();
        Session session;
        string etag;
        await using (var first = await GatewayHost.StartAsync(settings))
        {
            var api = new Support.Api(first.Client);
            session = await api.RegisterAsync();
            for (var i = 0; i < 5; i++)
            {
                await api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = $"t{i}" }, session.AccessToken);
            }

            etag = (await api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"attributes":{"kept":true}}""", session.AccessToken)).ETag!;
            await api.SendAsync(HttpMethod.Post, "/api/v1/me/results", token: session.AccessToken);
        }

        await using var second = await GatewayHost.StartAsync(settings);
        var again = new Support.Api(second.Client);
        var me = await again.GetAsync("/api/v1/me", session.AccessToken);
        Expect.Status(me, HttpStatusCode.OK);
        Assert.Equal(etag, me.ETag);
        Assert.Equal("""{"kept":true}""", me.Data["attributes"]!.ToJsonString());
        Assert.Equal(5, (await again.GetAsync("/api/v1/me/tasks", session.AccessToken)).Body!["pagination"]!["total"]!.GetValue<int>());
        Expect.Status(await again.GetAsync("/api/v1/me/results/latest", session.AccessToken), HttpStatusCode.OK);
        Expect.Status(await again.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = session.Email, ["password"] = Support.Api.Password }), HttpStatusCode.OK);
        Expect.Status(await again.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new JsonObject { ["refresh_token"] = session.RefreshToken }), HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_gateway_killed_with_sigkill_mid_writes_keeps_every_acknowledged_write()
    {
        var settings = await SettingsAsync();
        var acknowledged = new ConcurrentBag<string>();
        Session session;
        using (var doomed = await GatewayProcess.StartAsync(settings))
        {
            var api = new Support.Api(doomed.Client);
            session = await api.RegisterAsync();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var name = $"w{writer}-{i}";
                    try
                    {
                        // Archived tasks do not count toward the active limit, so the writers never run out.
                        var reply = await api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = name, ["status"] = "archived" }, session.AccessToken);
                        if (reply.Status == HttpStatusCode.Created)
                        {
                            acknowledged.Add(name);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                    catch (TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToList();

            await Eventually.TrueAsync(() => acknowledged.Count >= 200, TimeSpan.FromSeconds(60), "200 writes acknowledged");
            await doomed.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        using var revived = await GatewayProcess.StartAsync(settings);
        var export = await new Support.Api(revived.Client).GetAsync("/api/v1/me/export", session.AccessToken);
        Expect.Status(export, HttpStatusCode.OK);
        var stored = export.Data["tasks"]!.AsArray().Select(task => task!["name"]!.GetValue<string>()).ToHashSet();
        var lost = acknowledged.Where(name => !stored.Contains(name)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged tasks were lost: {string.Join(", ", lost.Take(10))}");
    }
}

public sealed class DurabilityOnSqlite : DurabilityTests
{
    protected override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(GatewayHost.BaseSettings(Folder));
}

public sealed class DurabilityOnDynamoDb : DurabilityTests
{
    private Dictionary<string, string?>? _settings;

    /// <summary>The same tables (one prefix) for every start of the test, so a restart finds the data.</summary>
    protected override async Task<Dictionary<string, string?>> SettingsAsync() =>
        _settings ??= DynamoDbGateway.DynamoDbSettings(GatewayHost.BaseSettings(Folder), (await DynamoDbLocal.Shared).ServiceUrl);
}
