using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace UserData.Silo.Hosting.Addressing;

/// <summary>
/// The address other silos reach this one at: <c>Cluster:AdvertisedAddress</c> when set; on ECS the task's IPv4
/// address from the task metadata endpoint; else the first non-loopback IPv4 address of an up interface; else 127.0.0.1.
/// </summary>
public static partial class AdvertisedAddressResolver
{
    public static async Task<string> ResolveAsync(
        string? configured, string? ecsMetadataUri, TimeSpan metadataTimeout, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.Trim();
        }

        if (!string.IsNullOrEmpty(ecsMetadataUri) && Uri.TryCreate(ecsMetadataUri, UriKind.Absolute, out var metadataUri))
        {
            try
            {
                if (await EcsTaskMetadata.ReadTaskAddressAsync(metadataUri, metadataTimeout, cancellationToken).ConfigureAwait(false) is { } address)
                {
                    LogDetected(logger, address, "ECS task metadata");
                    return address;
                }

                LogEcsNoAddress(logger, ecsMetadataUri);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                LogEcsFailed(logger, exception, ecsMetadataUri);
            }
        }

        var local = LocalAddress();
        LogDetected(logger, local, "local interfaces");
        return local;
    }

    private static string LocalAddress()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(adapter => adapter.OperationalStatus == OperationalStatus.Up && adapter.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(adapter => adapter.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(ip => ip.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(ip));
        return (address ?? IPAddress.Loopback).ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Advertised address {Address} (from {Source})")]
    private static partial void LogDetected(ILogger logger, string address, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ECS task metadata at {Uri} holds no IPv4 address")]
    private static partial void LogEcsNoAddress(ILogger logger, string uri);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the ECS task metadata at {Uri}")]
    private static partial void LogEcsFailed(ILogger logger, Exception exception, string uri);
}
