using System.Net;
using Amazon.DynamoDBv2;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using UserData.Providers.DynamoDB.Clustering;
using UserData.TestSupport;

namespace UserData.Providers.Tests.Clustering;

/// <summary>Real silos and a real client clustered through the DynamoDB membership table on DynamoDB Local.</summary>
public sealed class DynamoDBClusteringIntegrationTests
{
    private static readonly TimeSpan DeathDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ConnectDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_silos_form_one_cluster_a_client_reaches_both_and_a_crashed_silo_is_declared_dead_by_the_other()
    {
        using var test = await MembershipTestTable.CreateAsync();

        // The victim reaches DynamoDB through a client that the test can cut off, so its crash writes nothing to the table.
        var (victimDynamoDB, victimConnection) = InterceptedDynamoDB.Wrap(test.Client);
        var survivorErrors = new RecordingFatalErrorHandler();
        using var survivor = Silo(test, survivorErrors, injected: null);
        using var victim = Silo(test, new RecordingFatalErrorHandler(), injected: victimDynamoDB);
        await survivor.StartAsync();
        await victim.StartAsync();
        var survivorAddress = survivor.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var victimAddress = victim.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        using var table = await test.MembershipAsync();
        await Eventually.TrueAsync(
            async () => (await table.ReadAllAsync(CancellationToken.None)).Members.Count(m => m.Item1.Status == SiloStatus.Active) == 2,
            ConnectDeadline,
            "both silos become Active in the table");

        using var clientHost = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .UseOrleansClient(client => client.UseDynamoDBClustering(test.Configure).Configure<ClusterOptions>(cluster => Cluster(cluster, test)))
            .Build();
        using (var deadline = new CancellationTokenSource(ConnectDeadline))
        {
            await clientHost.StartAsync(deadline.Token);
        }

        Assert.IsType<DynamoDBGatewayListProvider>(clientHost.Services.GetRequiredService<IGatewayListProvider>());
        var grains = clientHost.Services.GetRequiredService<IClusterClient>();
        Assert.Equal(survivorAddress, await PlacedOnAsync(grains, survivorAddress));
        Assert.Equal(victimAddress, await PlacedOnAsync(grains, victimAddress));

        victimConnection.CutOff();
        await CrashAsync(victim);

        await Eventually.TrueAsync(
            async () => (await table.ReadRowAsync(victimAddress, CancellationToken.None)).Members.Single().Item1.Status == SiloStatus.Dead,
            DeathDeadline,
            "the survivor declares the crashed silo dead");
        var dead = (await table.ReadRowAsync(victimAddress, CancellationToken.None)).Members.Single().Item1;
        Assert.Contains(dead.SuspectTimes!, vote => vote.Item1.Equals(survivorAddress));
        Assert.Equal(SiloStatus.Active, (await table.ReadRowAsync(survivorAddress, CancellationToken.None)).Members.Single().Item1.Status);
        Assert.Equal(survivorAddress, await PlacedOnAsync(grains, victimAddress));
        Assert.Empty(survivorErrors.Errors);

        await clientHost.StopAsync();
        await survivor.StopAsync();
    }

    [Fact]
    public async Task A_silo_with_an_invalid_table_name_does_not_start_and_the_error_names_the_setting()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var silo = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .UseOrleans(builder => builder
                .UseDynamoDBClustering(options =>
                {
                    test.Configure(options);
                    options.TableName = "x";
                    options.TableNameSetting = "Storage__DynamoDB__TablePrefix";
                })
                .Configure<ClusterOptions>(cluster => Cluster(cluster, test))
                .ConfigureEndpoints(IPAddress.Loopback, LoopbackPort.Next(), LoopbackPort.Next()))
            .Build();

        var error = await Assert.ThrowsAsync<OrleansConfigurationException>(() => silo.StartAsync());

        Assert.Contains("Storage__DynamoDB__TablePrefix", error.Message, StringComparison.Ordinal);
    }

    private static IHost Silo(MembershipTestTable test, RecordingFatalErrorHandler fatalErrors, IAmazonDynamoDB? injected) => Host.CreateDefaultBuilder()
        .ConfigureLogging(logging => logging.ClearProviders())
        .UseOrleans(silo =>
        {
            silo.UseDynamoDBClustering(test.Configure)
                .Configure<ClusterOptions>(cluster => Cluster(cluster, test))
                .ConfigureEndpoints(IPAddress.Loopback, LoopbackPort.Next(), LoopbackPort.Next())
                .Configure<ClusterMembershipOptions>(membership =>
                {
                    // Seconds instead of Orleans' defaults, so the crash is noticed while the test waits; not so few that a
                    // silo stalled for a second or two by a busy machine (other test assemblies run beside this one) is declared dead.
                    membership.ProbeTimeout = TimeSpan.FromSeconds(2);
                    membership.NumMissedProbesLimit = 3;
                    membership.NumVotesForDeathDeclaration = 1;
                    membership.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                    membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1);
                });
            silo.Services.AddSingleton<IFatalErrorHandler>(fatalErrors);
            if (injected is not null)
            {
                silo.Services.AddSingleton(injected);

                // Orleans retries a stopping silo's status writes for up to this long; when its table access is cut off
                // they cannot succeed. Only this silo's own value: the other silo would evict a silo joining for longer.
                silo.Configure<ClusterMembershipOptions>(membership => membership.MaxJoinAttemptTime = TimeSpan.FromSeconds(5));
            }
        })
        .Build();

    private static void Cluster(ClusterOptions cluster, MembershipTestTable test)
    {
        cluster.ClusterId = test.ClusterId;
        cluster.ServiceId = "userdata-tests";
    }

    /// <summary>Activates a new grain with a placement hint for <paramref name="silo"/>; returns where it landed.</summary>
    private static async Task<SiloAddress> PlacedOnAsync(IClusterClient grains, SiloAddress silo)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            return await grains.GetGrain<ISiloLocatorGrain>(Guid.NewGuid()).WhereAmI();
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    /// <summary>Stops the silo without its graceful leave: a cancelled stop skips it, and its table writes are cut off.</summary>
    private static async Task CrashAsync(IHost silo)
    {
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        try
        {
            await silo.StopAsync(now.Token);
        }
        catch (OperationCanceledException)
        {
            // Expected: the stop was cut short.
        }
    }
}
