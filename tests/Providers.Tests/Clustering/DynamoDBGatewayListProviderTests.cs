using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using UserData.Providers.DynamoDB.Clustering;

namespace UserData.Providers.Tests.Clustering;

public sealed class DynamoDBGatewayListProviderTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_gateway_list_holds_exactly_the_gateway_uris_of_the_clusters_active_silos()
    {
        using var test = await MembershipTestTable.CreateAsync();
        using var table = await test.MembershipAsync();
        using var otherCluster = await test.MembershipAsync("other-" + test.ClusterId);
        var active = new[]
        {
            MembershipTestTable.NewEntry(SiloStatus.Active, siloPort: 11111, proxyPort: 30000),
            MembershipTestTable.NewEntry(SiloStatus.Active, siloPort: 11112, proxyPort: 30001),
        };
        var notGateways = new[]
        {
            MembershipTestTable.NewEntry(SiloStatus.Active, proxyPort: 0),
            MembershipTestTable.NewEntry(SiloStatus.Joining),
            MembershipTestTable.NewEntry(SiloStatus.ShuttingDown),
            MembershipTestTable.NewEntry(SiloStatus.Dead),
        };
        foreach (var entry in active.Concat(notGateways))
        {
            Assert.True(await table.InsertAtNextVersionAsync(entry));
        }

        Assert.True(await otherCluster.InsertAtNextVersionAsync(MembershipTestTable.NewEntry(SiloStatus.Active)));
        using var gateways = test.GatewayList();
        await gateways.InitializeGatewayListProviderAsync(None);

        var uris = await gateways.GetGatewaysAsync(None);

        // Clients connect to the proxy (gateway) port, not the silo-to-silo port of the row's key.
        var expected = active.Select(entry => SiloAddress.New(entry.SiloAddress.Endpoint.Address, entry.ProxyPort, entry.SiloAddress.Generation).ToGatewayUri());
        Assert.Equal(expected.Select(uri => uri.ToString()).Order(), uris.Select(uri => uri.ToString()).Order());
        Assert.Contains("gwy.tcp://127.0.0.1:30001/", uris.Select(uri => uri.ToString()).Order().Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staleness_is_Orleans_gateway_list_refresh_period()
    {
        using var test = await MembershipTestTable.CreateAsync();
        var options = new DynamoDBClusteringOptions();
        test.Configure(options);
        using var gateways = new DynamoDBGatewayListProvider(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(options),
            Options.Create(new ClusterOptions { ClusterId = test.ClusterId }),
            Options.Create(new GatewayOptions { GatewayListRefreshPeriod = TimeSpan.FromSeconds(17) }),
            NullLogger<DynamoDBGatewayListProvider>.Instance);

        Assert.Equal(TimeSpan.FromSeconds(17), gateways.MaxStaleness);
    }
}
