using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;
using UserData.Grains.Users;

namespace UserData.Gateway.Tests.Api;

/// <summary>The per-user quota and the bounded responses over real HTTP, on SQLite.</summary>
public sealed class QuotaApiTests : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-quota-").FullName;

    /// <summary>A profile change that replaces a ~30 KB attribute: its audit entry shows old and new, ~60 KB.</summary>
    internal static string LargeAttributePatch(int version) => $$$"""{"attributes":{"blob":"{{{version}}}:{{{new string('x', 30_000)}}}"}}""";

    [Fact]
    public async Task A_task_past_the_quota_is_422_quota_exceeded_naming_the_limit_whatever_the_status_of_the_others()
    {
        var settings = GatewayHost.BaseSettings(_folder);
        settings["Quota:MaxTasks"] = "3";
        await using var host = await GatewayHost.StartAsync(settings);
        var api = new Support.Api(host.Client);
        var session = await api.RegisterAsync();
        for (var i = 0; i < 3; i++)
        {
            Expect.Status(await api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", $$"""{"name":"t{{i}}","status":"archived"}""", session.AccessToken), HttpStatusCode.Created);
        }

        var refused = await api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", """{"name":"one more","status":"archived"}""", session.AccessToken);

        Expect.Error(refused, HttpStatusCode.UnprocessableEntity, "QUOTA_EXCEEDED", ("tasks", "quota_exceeded"));
        Assert.Contains("at most 3 tasks", refused.Body!["error"]!["details"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_audit_page_of_large_entries_stays_within_its_byte_limit_and_the_export_streams_the_same_trail()
    {
        await using var host = await GatewayHost.StartAsync(GatewayHost.BaseSettings(_folder));
        var api = new Support.Api(host.Client);
        var session = await api.RegisterAsync();
        Expect.Status(await api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", """{"name":"a task"}""", session.AccessToken), HttpStatusCode.Created);
        for (var i = 1; i <= 25; i++)
        {
            Expect.Status(await api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", LargeAttributePatch(i), session.AccessToken), HttpStatusCode.OK);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me/audit?limit=100");
        request.Headers.Authorization = new("Bearer", session.AccessToken);
        using var response = await host.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var limit = new UserQuotaOptions().MaxAuditPageBytes;
        Assert.True(body.Length <= limit + (16 * 1024), $"GET /me/audit?limit=100 answered {body.Length} bytes; the page limit is {limit}");
        var page = JsonNode.Parse(body)!;
        Assert.True(page["pagination"]!["has_more"]!.GetValue<bool>());
        Assert.Equal(27, page["pagination"]!["total"]!.GetValue<int>());
        var seqs = new List<long>();
        for (var offset = 0; offset < 27;)
        {
            var next = (await api.GetAsync($"/api/v1/me/audit?limit=100&offset={offset}", session.AccessToken)).Body!["data"]!.AsArray();
            seqs.AddRange(next.Select(entry => entry!["seq"]!.GetValue<long>()));
            offset += next.Count;
        }

        var export = await api.GetAsync("/api/v1/me/export", session.AccessToken);

        Expect.Status(export, HttpStatusCode.OK);
        Assert.Equal(["profile", "tasks", "results", "audit"], export.Data.AsObject().Select(property => property.Key));
        Assert.Equal(["data", "meta"], export.Body!.AsObject().Select(property => property.Key));
        Assert.Equal(session.UserId, export.Data["profile"]!["id"]!.GetValue<string>());
        Assert.Equal("a task", Assert.Single(export.Data["tasks"]!.AsArray())!["name"]!.GetValue<string>());
        Assert.Equal(seqs, export.Data["audit"]!.AsArray().Select(entry => entry!["seq"]!.GetValue<long>()));
        Assert.Equal(27, seqs.Count);
        Assert.Equal(seqs.Order().Reverse().Distinct(), seqs);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
