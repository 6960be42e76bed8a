using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using UserData.Silo.Hosting.Addressing;
using UserData.TestSupport;

namespace UserData.Silo.Tests.Addressing;

/// <summary>Advertised-address detection, with the ECS task metadata endpoint faked by a real listener on loopback.</summary>
public sealed class AdvertisedAddressTests
{
    private const string TaskMetadata = """
        {"Cluster":"c","TaskARN":"arn:aws:ecs:us-east-1:1:task/c/abc","Containers":[
          {"Name":"~internal~ecs~pause","Networks":[]},
          {"Name":"silo","Networks":[{"NetworkMode":"awsvpc","IPv4Addresses":["10.1.2.3"],"IPv6Addresses":["fd00::3"]}]}]}
        """;

    [Fact]
    public async Task A_configured_address_wins()
    {
        var address = await AdvertisedAddressResolver.ResolveAsync(" silo-1.internal ", "http://127.0.0.1:1", TimeSpan.FromSeconds(1), NullLogger.Instance, default);
        Assert.Equal("silo-1.internal", address);
    }

    [Fact]
    public async Task On_ECS_the_task_IPv4_address_is_read_from_the_task_metadata()
    {
        await using var server = await FakeMetadataServer.StartAsync(HttpStatusCode.OK, TaskMetadata);
        var address = await AdvertisedAddressResolver.ResolveAsync(null, server.Uri, TimeSpan.FromSeconds(5), NullLogger.Instance, default);
        Assert.Equal("10.1.2.3", address);
        Assert.Equal("/v4/abc/task", server.LastPath);
    }

    [Fact]
    public async Task A_failing_or_slow_metadata_endpoint_falls_back_to_a_local_address()
    {
        await using var failing = await FakeMetadataServer.StartAsync(HttpStatusCode.InternalServerError, "{}");
        var address = await AdvertisedAddressResolver.ResolveAsync(null, failing.Uri, TimeSpan.FromSeconds(5), NullLogger.Instance, default);
        Assert.True(IPAddress.TryParse(address, out _));

        // The slow server answers only after a minute: the resolver gave up at its timeout, before any answer.
        await using var slow = await FakeMetadataServer.StartAsync(HttpStatusCode.OK, TaskMetadata, delay: TimeSpan.FromMinutes(1));
        address = await AdvertisedAddressResolver.ResolveAsync(null, slow.Uri, TimeSpan.FromMilliseconds(300), NullLogger.Instance, default);
        Assert.True(IPAddress.TryParse(address, out _));
        Assert.NotEqual("10.1.2.3", address);
        Assert.Equal(0, slow.Answered);
    }

    [Fact]
    public async Task Metadata_without_an_IPv4_address_falls_back_to_a_local_address()
    {
        await using var server = await FakeMetadataServer.StartAsync(HttpStatusCode.OK, """{"Containers":[{"Networks":[{"IPv4Addresses":[]}]}]}""");
        var address = await AdvertisedAddressResolver.ResolveAsync(null, server.Uri, TimeSpan.FromSeconds(5), NullLogger.Instance, default);
        Assert.True(IPAddress.TryParse(address, out _));
    }

    /// <summary>An HttpListener on 127.0.0.1 answering every request with one status and body, after an optional delay.</summary>
    private sealed class FakeMetadataServer : IAsyncDisposable
    {
        private readonly HttpListener _listener;
        private readonly Task _serving;
        private readonly CancellationTokenSource _stopping = new();
        private int _answered;

        private FakeMetadataServer(HttpListener listener, string uri, HttpStatusCode status, string body, TimeSpan delay)
        {
            _listener = listener;
            Uri = uri;
            _serving = Task.Run(() => ServeAsync(status, body, delay));
        }

        public string Uri { get; }

        public string? LastPath { get; private set; }

        /// <summary>How many requests it has answered so far.</summary>
        public int Answered => Volatile.Read(ref _answered);

        public static Task<FakeMetadataServer> StartAsync(HttpStatusCode status, string body, TimeSpan? delay = null)
        {
            for (var attempt = 0; ; attempt++)
            {
                var port = LoopbackPort.Next();
                var listener = new HttpListener();
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                try
                {
                    listener.Start();
                    return Task.FromResult(new FakeMetadataServer(listener, $"http://127.0.0.1:{port}/v4/abc", status, body, delay ?? TimeSpan.Zero));
                }
                catch (HttpListenerException) when (attempt < 3)
                {
                    listener.Close();
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stopping.CancelAsync();
            _listener.Close();
            await _serving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stopping.Dispose();
        }

        private async Task ServeAsync(HttpStatusCode status, string body, TimeSpan delay)
        {
            var stopping = _stopping.Token;
            while (_listener.IsListening)
            {
                var context = await _listener.GetContextAsync();
                LastPath = context.Request.Url?.AbsolutePath;
                _ = Task.Run(async () =>
                {
                    await Task.Delay(delay, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    if (stopping.IsCancellationRequested)
                    {
                        return;
                    }

                    Interlocked.Increment(ref _answered);
                    context.Response.StatusCode = (int)status;
                    var bytes = Encoding.UTF8.GetBytes(body);
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                });
            }
        }
    }
}
