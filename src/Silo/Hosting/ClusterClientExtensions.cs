using Orleans.Configuration;
using Orleans.Connections.Security;
using UserData.Silo.Configuration;
using UserData.Silo.Dashboard;
using UserData.Silo.Health;
using UserData.Silo.Messaging;

namespace UserData.Silo.Hosting;

/// <summary>A process that runs no silo (a pure gateway): an Orleans client of the cluster in the membership table.</summary>
public static class ClusterClientExtensions
{
    /// <summary>
    /// Connects this host to the cluster as an Orleans client: it finds the silos' gateway ports through the DynamoDB
    /// membership table and speaks mutual TLS to them. Ready once connected.
    /// </summary>
    public static void AddUserDataClusterClient(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var cluster = ClusterConfiguration.Bind<ClusterSettings>(builder.Configuration, ClusterSettings.SectionName);
        if (cluster.Provider != ClusterProvider.DynamoDB)
        {
            throw new InvalidOperationException(
                "A gateway without a silo (Gateway__CoHostSilo=false) finds the silos in the membership table: set Cluster__Provider=DynamoDB.");
        }

        var storage = ClusterConfiguration.Bind<StorageSettings>(builder.Configuration, StorageSettings.SectionName);
        var tls = ClusterTls.Load(cluster.Tls);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = cluster.ClusterId;
                options.ServiceId = cluster.ServiceId;
            });
            // ResponseTimeout bounds a call that was on its way through a silo when that silo died: the Orleans 10.4
            // client does not fail such calls when the silo is declared dead (dotnet/orleans#10165), it waits this long.
            client.Configure<ClientMessagingOptions>(builder.Configuration.GetSection($"{ClusterSettings.SectionName}:Messaging"));
            StorageSetup.UseClustering(client, storage);
            client.UseTls(tls.Configure);
            client.AddOutgoingGrainCallFilter<RejectedCallRetryFilter>();
            client.AddActivityPropagation();
            client.AddUserDataDashboard(builder.Configuration);
        });
        builder.Services.AddUserDataHealthChecks().AddCheck<ClusterClientHealthCheck>("cluster-client", tags: [HealthEndpoints.ReadyTag]);
    }
}
