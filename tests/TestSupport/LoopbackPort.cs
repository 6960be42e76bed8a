using System.Net;
using System.Net.Sockets;

namespace UserData.TestSupport;

/// <summary>A loopback TCP port that was free a moment ago (bind to port 0, read it, release it).</summary>
public static class LoopbackPort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
