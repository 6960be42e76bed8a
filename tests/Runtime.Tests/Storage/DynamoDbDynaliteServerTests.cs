using System.Net;
using System.Net.Sockets;
using UserData.TestSupport;

namespace UserData.Runtime.Tests.Storage;

public sealed class DynamoDbDynaliteServerTests
{
    [Fact]
    public async Task Two_servers_listen_on_their_own_loopback_ports_and_stop_on_dispose()
    {
        var first = await DynaliteServer.StartAsync();
        await using var second = await DynaliteServer.StartAsync();
        var port = new Uri(first.ServiceUrl).Port;

        Assert.NotEqual(first.ServiceUrl, second.ServiceUrl);
        Assert.True(await AcceptsAsync(port));

        await first.DisposeAsync();

        Assert.False(await AcceptsAsync(port));
        Assert.True(await AcceptsAsync(new Uri(second.ServiceUrl).Port));
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
