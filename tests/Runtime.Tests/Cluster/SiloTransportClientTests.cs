using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using UserData.Runtime.Cluster.Placement;
using UserData.Runtime.Cluster.Transport;
using UserData.Runtime.Dispatch;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;
using UserData.Runtime.Tests.Grains;

namespace UserData.Runtime.Tests.Cluster;

/// <summary>How the silo transport reports a silo it cannot reach: a call that was not sent is the retryable kind.</summary>
public sealed class SiloTransportClientTests
{
    [Fact]
    public async Task A_silo_that_does_not_accept_the_connection_in_time_is_unavailable_not_a_cancellation()
    {
        // A listener whose accept queue is full: the kernel drops further SYNs, as for a silo whose host vanished.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        using var queued = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await queued.ConnectAsync(listener.LocalEndPoint!);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        using var transport = new SiloTransportClient(
            new RequestSigner("transport-tests-secret", TimeSpan.FromMinutes(5)), Options.Create(new GrainRuntimeOptions()));
        var method = (GrainMethod<int>)GrainInterface.Create(typeof(ICounterGrain)).Methods[typeof(ICounterGrain).GetMethod(nameof(ICounterGrain.GetAsync))!];

        var failure = await Assert.ThrowsAsync<SiloUnavailableException>(() =>
            transport.SendAsync<int>(new SiloEndpoint("vanished", $"127.0.0.1:{port}"), new GrainId("counter", "k"), method, [], hops: 0));
        Assert.Contains("was not sent", failure.Message, StringComparison.Ordinal);
    }
}
