using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;
using UserData.Providers.Diagnostics;

namespace UserData.Providers.DynamoDB.Clustering;

/// <summary>The gateways a client may connect to: the cluster's Active silos that listen for clients, read consistently.</summary>
internal sealed class DynamoDBGatewayListProvider : IGatewayListProvider, IDisposable
{
    private readonly IAmazonDynamoDB _client;
    private readonly bool _ownsClient;
    private readonly DynamoDBClusteringOptions _options;
    private readonly string _clusterId;
    private readonly ILogger<DynamoDBGatewayListProvider> _logger;

    public DynamoDBGatewayListProvider(
        IServiceProvider services,
        IOptions<DynamoDBClusteringOptions> options,
        IOptions<ClusterOptions> clusterOptions,
        IOptions<GatewayOptions> gatewayOptions,
        ILogger<DynamoDBGatewayListProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        ArgumentNullException.ThrowIfNull(gatewayOptions);
        _options = options.Value;
        _clusterId = clusterOptions.Value.ClusterId;
        _logger = logger;
        MaxStaleness = gatewayOptions.Value.GatewayListRefreshPeriod;
        (_client, _ownsClient) = DynamoDBClients.Resolve(services, _options);
    }

    public TimeSpan MaxStaleness { get; }

    // Obsolete in Orleans 10: every provider is refreshed.
    bool IGatewayListProvider.IsUpdatable => true;

    public Task InitializeGatewayListProviderAsync(CancellationToken cancellationToken) =>
        ProviderInstruments.MeasureAsync("dynamodb", "membership", "initialize-gateways", () =>
            DynamoDBTables.EnsureAsync(_client, MembershipRows.TableDefinition(_options.TableName), _options, _logger, cancellationToken));

    public Task<IList<Uri>> GetGatewaysAsync(CancellationToken cancellationToken) =>
        ProviderInstruments.MeasureAsync<IList<Uri>>("dynamodb", "membership", "get-gateways", async () =>
        {
            var rows = await MembershipRows.QueryClusterAsync(_client, _options.TableName, _clusterId, cancellationToken, request =>
            {
                request.FilterExpression = "#status = :active AND #proxyPort > :noPort";
                request.ExpressionAttributeNames["#status"] = MembershipRows.Status;
                request.ExpressionAttributeNames["#proxyPort"] = MembershipRows.ProxyPort;
                request.ExpressionAttributeValues[":active"] = new AttributeValue { S = nameof(SiloStatus.Active) };
                request.ExpressionAttributeValues[":noPort"] = MembershipRows.Number(0);
            }).ConfigureAwait(false);
            return rows.Select(row => GatewayUri(MembershipRows.ParseSilo(row).Item1)).ToList();
        });

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    // Orleans' older, tokenless members: the same operations without cancellation.
    Task IGatewayListProvider.InitializeGatewayListProvider() => InitializeGatewayListProviderAsync(CancellationToken.None);

    Task<IList<Uri>> IGatewayListProvider.GetGateways() => GetGatewaysAsync(CancellationToken.None);

    // Clients connect to the gateway port, which differs from the silo-to-silo port in the row's key.
    private static Uri GatewayUri(Orleans.MembershipEntry entry) =>
        SiloAddress.New(entry.SiloAddress.Endpoint.Address, entry.ProxyPort, entry.SiloAddress.Generation).ToGatewayUri();
}
