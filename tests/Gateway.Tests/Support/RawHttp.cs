using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace UserData.Gateway.Tests.Support;

/// <summary>A response read off a raw connection: status, headers (names lower-case) and the body as JSON when it parses.</summary>
public sealed record RawReply(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonNode? Json => Body.Length > 0 && Body[0] == '{' ? JsonNode.Parse(Body) : null;
}

/// <summary>
/// Sends bytes no HTTP client would send (over-long request lines, broken framing, a request that never ends) and reads
/// the one response the server gives before it closes the connection.
/// </summary>
public static class RawHttp
{
    /// <summary>
    /// Writes <paramref name="request"/> and reads until the server closes. The sending side stays open: a client that
    /// closes it at once races the server's answer, which is then sometimes lost.
    /// </summary>
    public static async Task<RawReply> SendAsync(Uri server, string request)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        return Parse(Encoding.UTF8.GetString(received.ToArray()));
    }

    private static RawReply Parse(string response)
    {
        var end = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"No complete response: {response}");
        var lines = response[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .GroupBy(pair => pair[0].Trim().ToLowerInvariant())
            .ToDictionary(group => group.Key, group => string.Join(", ", group.Select(pair => pair[1].Trim())));
        return new RawReply(status, headers, response[(end + 4)..]);
    }
}
