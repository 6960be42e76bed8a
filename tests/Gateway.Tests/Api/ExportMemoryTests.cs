using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using UserData.Gateway.Api;
using UserData.Gateway.Tests.Support;
using UserData.TestSupport;
using Xunit.Abstractions;

namespace UserData.Gateway.Tests.Api;

/// <summary>
/// GET /me/export of the largest user the quota allows, many at once, against a real gateway process (server GC): the
/// live heap the exports hold must stay within a few copies of one slice per export, not grow with the user's size.
/// While clients export over and over, the process's live heap is measured several times with a full blocking GC
/// (<see cref="ProcessHeap"/>), which counts what is really held, not the GC's headroom that resident memory shows.
/// (Stalling the clients instead does not work: the server's kernel takes megabytes of each response into its send
/// buffer, so a stalled export holds nothing the test can see.)
/// </summary>
public sealed class ExportMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int MaxTasks = 300;
    private const int ConcurrentExports = 16;

    /// <summary>
    /// How many times an export in flight may hold its slice's JSON at the worst moment: the slice's objects (their
    /// strings UTF-16, twice the bytes), its JSON in the response pipe, and the grain call's message; or, in the grain,
    /// the journal events being read (each carries its change and the attributes, more than its audit entry).
    /// </summary>
    private const int SliceCopies = 4;

    /// <summary>What does not depend on the export's size: 16 connections, their requests and Kestrel's buffer blocks.</summary>
    private const long FixedOverhead = 4 << 20;

    private const int Samples = 6;
    private static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-export-memory-").FullName;

    [Fact]
    public async Task Concurrent_exports_of_the_largest_user_the_quota_allows_hold_a_few_copies_of_one_slice_each()
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
        using var export = await gateway.Client.SendAsync(ExportRequest(session));
        var document = await export.Content.ReadAsByteArrayAsync();
        var slice = LargestSliceBytes(document);
        var idle = await ProcessHeap.LiveBytesAsync(gateway.ProcessId, SampleTimeout);

        using var stop = new CancellationTokenSource();
        var completed = 0;
        var exporters = Enumerable.Range(0, ConcurrentExports).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await gateway.Client.SendAsync(ExportRequest(session));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(document.Length, (await response.Content.ReadAsByteArrayAsync()).Length);
                Interlocked.Increment(ref completed);
            }
        })).ToList();
        var samples = new List<long>();
        try
        {
            for (var i = 1; i <= Samples; i++)
            {
                // Each sample after more exports have gone by, so that the samples fall at different points of them.
                var target = i * ConcurrentExports / 4;
                await Eventually.TrueAsync(() => Volatile.Read(ref completed) >= target || exporters.Any(task => task.IsFaulted), TimeSpan.FromSeconds(60), "exports complete");
                samples.Add(await ProcessHeap.LiveBytesAsync(gateway.ProcessId, SampleTimeout) - idle);
            }
        }
        finally
        {
            // Also when a sample failed: exporters left running would load the machine for every later test.
            await stop.CancelAsync();
        }

        await Task.WhenAll(exporters);
        var held = samples.Max();
        var bound = ConcurrentExports * SliceCopies * slice + FixedOverhead;
        var figures = $"{ConcurrentExports} concurrent exports of {document.Length} bytes held at most {held} bytes of live heap " +
            $"(samples {string.Join(", ", samples)} over {completed} exports, idle {idle}); " +
            $"the bound is {bound} = {ConcurrentExports} x {SliceCopies} x the largest slice ({slice} bytes) + {FixedOverhead}";
        output.WriteLine(figures);
        Assert.True(held < bound, figures);
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

    private static HttpRequestMessage ExportRequest(Session session)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me/export");
        request.Headers.Authorization = new("Bearer", session.AccessToken);
        return request;
    }

    /// <summary>The most JSON one grain call of the export brings: <see cref="UserExportStream.TaskSlice"/> tasks or <see cref="UserExportStream.AuditSlice"/> audit entries.</summary>
    private static long LargestSliceBytes(byte[] document)
    {
        using var json = JsonDocument.Parse(document);
        var data = json.RootElement.GetProperty("data");
        return Math.Max(LargestRun(data.GetProperty("tasks"), UserExportStream.TaskSlice), LargestRun(data.GetProperty("audit"), UserExportStream.AuditSlice));

        static long LargestRun(JsonElement items, int run) =>
            items.EnumerateArray().Select(item => (long)Encoding.UTF8.GetByteCount(item.GetRawText())).Chunk(run).Max(chunk => chunk.Sum());
    }
}
