using System.Net.Sockets;
using System.Text.Json;

namespace UserData.Silo.Hosting.Addressing;

/// <summary>
/// Reads the task's IPv4 address from the ECS task metadata endpoint v4: <c>GET ${ECS_CONTAINER_METADATA_URI_V4}/task</c>,
/// <c>Containers[].Networks[].IPv4Addresses[0]</c> (awsvpc networking gives every container of the task that address).
/// </summary>
public static class EcsTaskMetadata
{
    public const string EnvironmentVariable = "ECS_CONTAINER_METADATA_URI_V4";

    /// <summary>The first IPv4 address in the task metadata, or null when the document holds none.</summary>
    /// <exception cref="HttpRequestException">The endpoint did not answer 200.</exception>
    /// <exception cref="TaskCanceledException">No answer within <paramref name="timeout"/>.</exception>
    public static async Task<string?> ReadTaskAddressAsync(Uri metadataUri, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metadataUri);
        using var http = new HttpClient { Timeout = timeout };
        var taskUri = new Uri(metadataUri.AbsoluteUri.TrimEnd('/') + "/task");
        using var response = await http.GetAsync(taskUri, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        return FirstIPv4(document.RootElement);
    }

    private static string? FirstIPv4(JsonElement task)
    {
        if (task.ValueKind != JsonValueKind.Object || !task.TryGetProperty("Containers", out var containers) || containers.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var container in containers.EnumerateArray())
        {
            if (!container.TryGetProperty("Networks", out var networks) || networks.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var network in networks.EnumerateArray())
            {
                if (network.TryGetProperty("IPv4Addresses", out var addresses)
                    && addresses.ValueKind == JsonValueKind.Array
                    && addresses.GetArrayLength() > 0
                    && addresses[0].GetString() is { } address
                    && System.Net.IPAddress.TryParse(address, out var parsed)
                    && parsed.AddressFamily == AddressFamily.InterNetwork)
                {
                    return address;
                }
            }
        }

        return null;
    }
}
