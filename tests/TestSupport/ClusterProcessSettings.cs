using System.Globalization;
using UserData.TestSupport.Tls;

namespace UserData.TestSupport;

/// <summary>
/// The environment variables of a silo or gateway process in a DynamoDB cluster on DynamoDB Local, as the
/// CloudFormation stack passes them on ECS: storage and membership in DynamoDB under one table prefix, mutual TLS, the
/// loopback address advertised.
/// </summary>
public static class ClusterProcessSettings
{
    public const string Password = "cluster-password-1";

    private static readonly string AuthKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string EmailKey = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    /// <summary>A member of cluster <paramref name="clusterId"/>, with its own silo and gateway ports and the TLS files given (none: TLS unset).</summary>
    public static Dictionary<string, string> Member(string serviceUrl, string tablePrefix, string clusterId, TlsFiles? tls)
    {
        var settings = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "DynamoDB",
            ["Storage__DynamoDB__ServiceUrl"] = serviceUrl,
            ["Storage__DynamoDB__TablePrefix"] = tablePrefix,
            ["Cluster__Provider"] = "DynamoDB",
            ["Cluster__ClusterId"] = clusterId,
            ["Cluster__AdvertisedAddress"] = "127.0.0.1",
            ["Cluster__SiloPort"] = LoopbackPort.Next().ToString(CultureInfo.InvariantCulture),
            ["Cluster__GatewayPort"] = LoopbackPort.Next().ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in tls?.Settings ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>
    /// Adds what a gateway process needs besides: keys as required outside local SQLite, <paramref name="adminEmail"/>
    /// made admin at registration, cheap password hashing and rate limits high enough for load from one address.
    /// </summary>
    public static Dictionary<string, string> AsGateway(this Dictionary<string, string> settings, string adminEmail)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Auth__SigningKey"] = AuthKey;
        settings["Auth__EmailKey"] = EmailKey;
        settings["Auth__PasswordHasher__IterationCount"] = "1000";
        settings["Bootstrap__AdminEmails"] = adminEmail;
        settings["RateLimits__RegisterPerMinute"] = "1000000";
        settings["RateLimits__LoginPerMinute"] = "1000000";
        settings["RateLimits__UserRequestsPerSecond"] = "1000000";
        return settings;
    }
}
