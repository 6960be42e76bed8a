using System.Globalization;
using System.Net;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>
/// GET /me/export of the largest user the quota allows, many at once, against a real gateway process: its peak resident
/// memory over the exports must stay under what holding each export once at the same time would take.
/// </summary>
public sealed class ExportMemoryTests : IDisposable
{
    private const int MaxTasks = 300;
    private const int ConcurrentExports = 16;
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-export-memory-").FullName;

    [Fact]
    public async Task Concurrent_exports_of_the_largest_user_the_quota_allows_stay_under_the_memory_of_one_export_each()
    {
        var settings = GatewayHost.BaseSettings(_folder);
        settings["Quota:MaxTasks"] = MaxTasks.ToString(CultureInfo.InvariantCulture);
        using var gateway = await GatewayProcess.StartAsync(settings);
        var api = new Support.Api(gateway.Client);
        var session = await api.RegisterAsync();

        // The largest user: every task the quota allows at the longest description, and more large profile changes
        // than the history keeps (so the audit trail is as long as it gets).
        var description = new string('d', 2000);
        await Parallel.ForEachAsync(Enumerable.Range(0, MaxTasks), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
            Expect.Status(await api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", $$"""{"name":"task {{i}}","description":"{{description}}","status":"archived"}""", session.AccessToken), HttpStatusCode.Created));
        for (var i = 1; i <= 60; i++)
        {
            Expect.Status(await api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", QuotaApiTests.LargeAttributePatch(i), session.AccessToken), HttpStatusCode.OK);
        }

        Expect.Error(await api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", """{"name":"one more"}""", session.AccessToken), HttpStatusCode.UnprocessableEntity, "QUOTA_EXCEEDED");
        var exportBytes = (await ExportAsync(gateway, session)).Length;

        var before = Status(gateway.ProcessId, "VmRSS");
        await File.WriteAllTextAsync($"/proc/{gateway.ProcessId}/clear_refs", "5");
        var exports = await Task.WhenAll(Enumerable.Range(0, ConcurrentExports).Select(_ => ExportAsync(gateway, session)));
        var peak = Status(gateway.ProcessId, "VmHWM");

        Assert.All(exports, export => Assert.InRange(export.Length, exportBytes / 2, exportBytes * 2));
        var growth = peak - before;
        var bound = (long)ConcurrentExports * exportBytes;
        Assert.True(
            growth < bound,
            $"{ConcurrentExports} concurrent exports of {exportBytes} bytes raised the gateway's peak resident memory by {growth} bytes " +
            $"(from {before} to {peak}); the bound is {bound} bytes, {ConcurrentExports} x one export");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<byte[]> ExportAsync(GatewayProcess gateway, Session session)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me/export");
        request.Headers.Authorization = new("Bearer", session.AccessToken);
        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>A memory figure of /proc/{pid}/status (VmRSS: resident now; VmHWM: peak resident since clear_refs), in bytes.</summary>
    private static long Status(int processId, string field)
    {
        var line = File.ReadLines($"/proc/{processId}/status").Single(line => line.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
