using System.Net;
using Orleans.Configuration;
using Orleans.Connections.Security;
using UserData.Silo.Configuration;
using UserData.Silo.Dashboard;
using UserData.Silo.Health;
using UserData.Silo.Hosting.Addressing;
using UserData.Silo.Messaging;
using UserData.Silo.Telemetry;

namespace UserData.Silo.Hosting;

/// <summary>The product's Orleans silo, configured from <c>Cluster:*</c> and <c>Storage:*</c>; used by the silo process and the co-hosting gateway.</summary>
public static class SiloHostingExtensions
{
    /// <summary>
    /// Runs a silo in this host. With <c>Cluster:Provider=Localhost</c> (the default) it is a cluster of one on this
    /// machine; with <c>DynamoDB</c> it joins the cluster in the membership table, advertises its address (ECS task
    /// metadata when present) and speaks mutual TLS on its silo and gateway ports. Async because the address is detected
    /// before the host is built.
    /// </summary>
    public static async Task AddUserDataSiloAsync(this WebApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var cluster = ClusterConfiguration.Bind<ClusterSettings>(configuration, ClusterSettings.SectionName);
        var storage = ClusterConfiguration.Bind<StorageSettings>(configuration, StorageSettings.SectionName);
        var tls = cluster.Provider == ClusterProvider.DynamoDB ? ClusterTls.Load(cluster.Tls) : null;
        var advertised = cluster.Provider == ClusterProvider.DynamoDB ? await AdvertisedAddressAsync(cluster, cancellationToken).ConfigureAwait(false) : null;

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterMembershipOptions>(configuration.GetSection($"{ClusterSettings.SectionName}:Membership"));
            silo.Configure<SiloMessagingOptions>(configuration.GetSection($"{ClusterSettings.SectionName}:Messaging"));
            if (cluster.Provider == ClusterProvider.Localhost)
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            }
            else
            {
                silo.Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = cluster.ClusterId;
                    options.ServiceId = cluster.ServiceId;
                });
                silo.ConfigureEndpoints(advertised!, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
                silo.UseTls(tls!.Configure);
                StorageSetup.UseClustering(silo, storage);
                if (cluster.Repartitioning.Enabled)
                {
                    silo.AddRepartitioning(configuration.GetSection($"{ClusterSettings.SectionName}:Repartitioning"));
                }
            }

            silo.AddUserDataGrainServices(storage);
            silo.AddActivityPropagation();
            silo.AddIncomingGrainCallFilter<GrainCallMetrics>();
            silo.AddOutgoingGrainCallFilter<RejectedCallRetryFilter>();
            silo.AddUserDataDashboard(configuration);
        });
        builder.Services.AddUserDataHealthChecks().AddCheck<SiloActiveHealthCheck>("silo", tags: [HealthEndpoints.ReadyTag]);
        builder.AddUserDataLake(storage);
    }

    // Orleans 10 still marks the repartitioner experimental (ORLEANSEXP001): its API may change in a minor version.
#pragma warning disable ORLEANSEXP001
    private static void AddRepartitioning(this ISiloBuilder silo, IConfigurationSection options) =>
        silo.AddActivationRepartitioner().Configure<ActivationRepartitionerOptions>(options);
#pragma warning restore ORLEANSEXP001

    private static async Task<IPAddress> AdvertisedAddressAsync(ClusterSettings cluster, CancellationToken cancellationToken)
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddConsole());
        var address = await AdvertisedAddressResolver.ResolveAsync(
            cluster.AdvertisedAddress,
            Environment.GetEnvironmentVariable(EcsTaskMetadata.EnvironmentVariable),
            cluster.MetadataTimeout,
            loggerFactory.CreateLogger(typeof(AdvertisedAddressResolver)),
            cancellationToken).ConfigureAwait(false);
        if (IPAddress.TryParse(address, out var ip))
        {
            return ip;
        }

        var resolved = await Dns.GetHostAddressesAsync(address, cancellationToken).ConfigureAwait(false);
        return resolved.FirstOrDefault(candidate => candidate.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? throw new InvalidOperationException($"Cluster__AdvertisedAddress '{address}' resolves to no IPv4 address.");
    }
}
