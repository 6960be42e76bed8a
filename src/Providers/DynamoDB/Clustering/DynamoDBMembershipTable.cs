using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using UserData.Providers.Diagnostics;

namespace UserData.Providers.DynamoDB.Clustering;

/// <summary>
/// Orleans' membership table on DynamoDB (layout in <see cref="MembershipRows"/>). A row and the cluster's version row change
/// together in one <c>TransactWriteItems</c>, each under its own condition, so a lost race answers <c>false</c> and leaves
/// nothing half-written. Heartbeats touch only <c>i_am_alive_time</c>. Reads are consistent and, since a DynamoDB query is
/// not isolated from concurrent transactions, bracketed by two reads of the version row, so the rows returned are those of
/// the version returned.
/// </summary>
internal sealed partial class DynamoDBMembershipTable : IMembershipTable, IDisposable
{
    private const string Store = "membership";

    // A versioned write lands between the two version reads only while the cluster changes membership; a few retries suffice.
    private const int MaxReadAttempts = 10;

    private readonly IAmazonDynamoDB _client;
    private readonly bool _ownsClient;
    private readonly DynamoDBClusteringOptions _options;
    private readonly string _clusterId;
    private readonly ILogger<DynamoDBMembershipTable> _logger;

    public DynamoDBMembershipTable(
        IServiceProvider services,
        IOptions<DynamoDBClusteringOptions> options,
        IOptions<ClusterOptions> clusterOptions,
        ILogger<DynamoDBMembershipTable> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        _options = options.Value;
        _clusterId = clusterOptions.Value.ClusterId;
        _logger = logger;
        (_client, _ownsClient) = DynamoDBClients.Resolve(services, _options);
    }

    private string TableName => _options.TableName;

    public Task InitializeMembershipTableAsync(bool tryInitTableVersion, CancellationToken cancellationToken) =>
        Measure("initialize", async () =>
        {
            await DynamoDBTables.EnsureAsync(_client, MembershipRows.TableDefinition(TableName), _options, _logger, cancellationToken).ConfigureAwait(false);
            if (!tryInitTableVersion)
            {
                return;
            }

            try
            {
                // Conditional, so silos starting together agree on one version row.
                await _client.PutItemAsync(
                    new PutItemRequest
                    {
                        TableName = TableName,
                        Item = MembershipRows.VersionItem(_clusterId, 0, NewETag()),
                        ConditionExpression = "attribute_not_exists(#silo)",
                        ExpressionAttributeNames = new() { ["#silo"] = MembershipRows.Silo },
                    },
                    cancellationToken).ConfigureAwait(false);
                LogVersionRowCreated(_logger, TableName, _clusterId);
            }
            catch (ConditionalCheckFailedException)
            {
                // It exists already.
            }
        });

    public Task DeleteMembershipTableEntriesAsync(string clusterId, CancellationToken cancellationToken) =>
        Measure("delete-cluster", async () =>
        {
            ArgumentNullException.ThrowIfNull(clusterId);
            var rows = await MembershipRows.QueryClusterAsync(_client, TableName, clusterId, cancellationToken, request =>
            {
                request.ProjectionExpression = "#cluster, #silo";
                request.ExpressionAttributeNames["#silo"] = MembershipRows.Silo;
            }).ConfigureAwait(false);
            foreach (var row in rows)
            {
                await _client.DeleteItemAsync(TableName, row, cancellationToken).ConfigureAwait(false);
            }

            LogClusterDeleted(_logger, TableName, clusterId, rows.Count);
        });

    public Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken) =>
        Measure("cleanup-defunct", async () =>
        {
            var rows = await MembershipRows.QueryClusterAsync(_client, TableName, _clusterId, cancellationToken).ConfigureAwait(false);
            var defunct = rows
                .Where(row => !MembershipRows.IsVersionRow(row))
                .Select(MembershipRows.ParseSilo)
                .Where(row => row.Item1.Status != SiloStatus.Active && MembershipRows.LastUpdate(row.Item1) < beforeDate)
                .ToList();
            var removed = 0;
            foreach (var (entry, etag) in defunct)
            {
                try
                {
                    // Only the row as read: one rewritten meanwhile is judged again at the next cleanup.
                    await _client.DeleteItemAsync(
                        new DeleteItemRequest
                        {
                            TableName = TableName,
                            Key = MembershipRows.Key(_clusterId, entry.SiloAddress),
                            ConditionExpression = "#etag = :etag",
                            ExpressionAttributeNames = new() { ["#etag"] = MembershipRows.ETag },
                            ExpressionAttributeValues = new() { [":etag"] = new AttributeValue { S = etag } },
                        },
                        cancellationToken).ConfigureAwait(false);
                    removed++;
                    LogDefunctSiloRemoved(_logger, _clusterId, entry.SiloAddress, entry.Status, MembershipRows.LastUpdate(entry));
                }
                catch (ConditionalCheckFailedException)
                {
                    LogDefunctSiloChanged(_logger, _clusterId, entry.SiloAddress);
                }
            }

            LogCleanupDone(_logger, _clusterId, beforeDate, removed);
        });

    public Task<MembershipTableData> ReadRowAsync(SiloAddress key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Measure("read-row", () => ReadBetweenVersionReadsAsync(
            async () =>
            {
                var response = await _client.GetItemAsync(
                    new GetItemRequest { TableName = TableName, Key = MembershipRows.Key(_clusterId, key), ConsistentRead = true },
                    cancellationToken).ConfigureAwait(false);
                return response.Item is { Count: > 0 } item ? [item] : [];
            },
            cancellationToken));
    }

    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken) =>
        Measure("read-all", () => ReadBetweenVersionReadsAsync(
            () => MembershipRows.QueryClusterAsync(_client, TableName, _clusterId, cancellationToken),
            cancellationToken));

    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Measure("insert-row", () => WriteAsync(
            "InsertRow", entry, tableVersion, "attribute_not_exists(#silo)", new() { ["#silo"] = MembershipRows.Silo }, null, cancellationToken));
    }

    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(etag);
        return Measure("update-row", () => WriteAsync(
            "UpdateRow", entry, tableVersion, "#etag = :rowEtag", new() { ["#etag"] = MembershipRows.ETag },
            new() { [":rowEtag"] = new AttributeValue { S = etag } }, cancellationToken));
    }

    public Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Measure("update-i-am-alive", async () =>
        {
            try
            {
                // Neither the row's etag nor the table version moves: a heartbeat never makes a concurrent UpdateRow fail.
                await _client.UpdateItemAsync(
                    new UpdateItemRequest
                    {
                        TableName = TableName,
                        Key = MembershipRows.Key(_clusterId, entry.SiloAddress),
                        UpdateExpression = "SET #alive = :alive",
                        ConditionExpression = "attribute_exists(#silo)",
                        ExpressionAttributeNames = new() { ["#alive"] = MembershipRows.IAmAliveTime, ["#silo"] = MembershipRows.Silo },
                        ExpressionAttributeValues = new() { [":alive"] = MembershipRows.Time(entry.IAmAliveTime) },
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ConditionalCheckFailedException)
            {
                // The row was removed (the silo is long dead): there is nothing to keep alive, and no partial row is made.
                LogHeartbeatWithoutRow(_logger, _clusterId, entry.SiloAddress);
            }
        });
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    // Orleans' older, tokenless members (obsolete in Orleans 10): the same operations without cancellation.
    Task IMembershipTable.InitializeMembershipTable(bool tryInitTableVersion) => InitializeMembershipTableAsync(tryInitTableVersion, CancellationToken.None);

    Task IMembershipTable.DeleteMembershipTableEntries(string clusterId) => DeleteMembershipTableEntriesAsync(clusterId, CancellationToken.None);

    Task IMembershipTable.CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => CleanupDefunctSiloEntriesAsync(beforeDate, CancellationToken.None);

    Task<MembershipTableData> IMembershipTable.ReadRow(SiloAddress key) => ReadRowAsync(key, CancellationToken.None);

    Task<MembershipTableData> IMembershipTable.ReadAll() => ReadAllAsync(CancellationToken.None);

    Task<bool> IMembershipTable.InsertRow(MembershipEntry entry, TableVersion tableVersion) => InsertRowAsync(entry, tableVersion, CancellationToken.None);

    Task<bool> IMembershipTable.UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) =>
        UpdateRowAsync(entry, etag, tableVersion, CancellationToken.None);

    Task IMembershipTable.UpdateIAmAlive(MembershipEntry entry) => UpdateIAmAliveAsync(entry, CancellationToken.None);

    /// <summary>
    /// Writes the silo row (under <paramref name="rowCondition"/>) and the version row (under the expected version etag) in
    /// one transaction. False when a condition fails or a concurrent transaction on either row wins; other failures throw.
    /// </summary>
    private async Task<bool> WriteAsync(
        string operation,
        MembershipEntry entry,
        TableVersion tableVersion,
        string rowCondition,
        Dictionary<string, string> rowNames,
        Dictionary<string, AttributeValue>? rowValues,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tableVersion);
        ArgumentNullException.ThrowIfNull(tableVersion.VersionEtag);
        var request = new TransactWriteItemsRequest
        {
            // Makes the SDK's own retries of this request idempotent: a retry after a lost answer does not read as a conflict.
            ClientRequestToken = NewETag(),
            TransactItems =
            [
                new TransactWriteItem
                {
                    Put = new Put
                    {
                        TableName = TableName,
                        Item = MembershipRows.SiloItem(_clusterId, entry, NewETag()),
                        ConditionExpression = rowCondition,
                        ExpressionAttributeNames = rowNames,
                        ExpressionAttributeValues = rowValues,
                    },
                },
                new TransactWriteItem
                {
                    Put = new Put
                    {
                        TableName = TableName,
                        Item = MembershipRows.VersionItem(_clusterId, tableVersion.Version, NewETag()),
                        ConditionExpression = "#etag = :versionEtag",
                        ExpressionAttributeNames = new() { ["#etag"] = MembershipRows.ETag },
                        ExpressionAttributeValues = new() { [":versionEtag"] = new AttributeValue { S = tableVersion.VersionEtag } },
                    },
                },
            ],
        };
        try
        {
            await _client.TransactWriteItemsAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TransactionCanceledException canceled) when (IsLostRace(canceled))
        {
            LogWriteRefused(_logger, operation, _clusterId, entry.SiloAddress, tableVersion.Version, Code(canceled, 0), Code(canceled, 1));
            return false;
        }
    }

    /// <summary>Reads rows with the version row read before and after; repeated until no versioned write fell in between.</summary>
    private async Task<MembershipTableData> ReadBetweenVersionReadsAsync(
        Func<Task<List<Dictionary<string, AttributeValue>>>> readRows, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var before = await ReadVersionAsync(cancellationToken).ConfigureAwait(false);
            var rows = await readRows().ConfigureAwait(false);
            var after = await ReadVersionAsync(cancellationToken).ConfigureAwait(false);
            if (before.VersionEtag == after.VersionEtag)
            {
                // Etags are unique per write, so an equal etag means no InsertRow or UpdateRow committed in between.
                var members = rows.Where(row => !MembershipRows.IsVersionRow(row)).Select(MembershipRows.ParseSilo).ToList();
                return new MembershipTableData(members, before);
            }

            if (attempt == MaxReadAttempts)
            {
                throw new InvalidOperationException(
                    $"The membership of cluster '{_clusterId}' in table '{TableName}' changed during each of {MaxReadAttempts} reads.");
            }

            LogReadRepeated(_logger, _clusterId, before.Version, after.Version);
        }
    }

    private async Task<TableVersion> ReadVersionAsync(CancellationToken cancellationToken)
    {
        var response = await _client.GetItemAsync(
            new GetItemRequest { TableName = TableName, Key = MembershipRows.Key(_clusterId, MembershipRows.VersionRow), ConsistentRead = true },
            cancellationToken).ConfigureAwait(false);
        return MembershipRows.ParseVersion(response.Item);
    }

    // A failed condition, or another transaction on the same rows at the same moment: either way the write did not happen.
    private static bool IsLostRace(TransactionCanceledException canceled) =>
        canceled.CancellationReasons is { Count: > 0 } reasons
        && reasons.All(reason => reason.Code is "None" or "ConditionalCheckFailed" or "TransactionConflict")
        && reasons.Any(reason => reason.Code is not "None");

    private static string Code(TransactionCanceledException canceled, int item) => canceled.CancellationReasons[item].Code;

    private static string NewETag() => Guid.NewGuid().ToString("N");

    private Task Measure(string operation, Func<Task> call) => ProviderInstruments.MeasureAsync("dynamodb", Store, operation, call);

    private Task<T> Measure<T>(string operation, Func<Task<T>> call) => ProviderInstruments.MeasureAsync("dynamodb", Store, operation, call);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the membership version row of cluster {ClusterId} in table {Table}")]
    private static partial void LogVersionRowCreated(ILogger logger, string table, string clusterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted the {Rows} membership rows of cluster {ClusterId} from table {Table}")]
    private static partial void LogClusterDeleted(ILogger logger, string table, string clusterId, int rows);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Removed the defunct membership row of {SiloAddress} ({Status}, last updated {LastUpdate:O}) from cluster {ClusterId}")]
    private static partial void LogDefunctSiloRemoved(ILogger logger, string clusterId, SiloAddress siloAddress, SiloStatus status, DateTimeOffset lastUpdate);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kept the membership row of {SiloAddress} in cluster {ClusterId}: it changed since it was read")]
    private static partial void LogDefunctSiloChanged(ILogger logger, string clusterId, SiloAddress siloAddress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Membership cleanup of cluster {ClusterId} before {BeforeDate:O} removed {Removed} rows")]
    private static partial void LogCleanupDone(ILogger logger, string clusterId, DateTimeOffset beforeDate, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat of {SiloAddress} in cluster {ClusterId} found no membership row to update")]
    private static partial void LogHeartbeatWithoutRow(ILogger logger, string clusterId, SiloAddress siloAddress);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{Operation} of {SiloAddress} in cluster {ClusterId} to table version {Version} refused: silo row {RowCheck}, version row {VersionCheck}")]
    private static partial void LogWriteRefused(
        ILogger logger, string operation, string clusterId, SiloAddress siloAddress, int version, string rowCheck, string versionCheck);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Membership of cluster {ClusterId} moved from version {Before} to {After} during a read; reading again")]
    private static partial void LogReadRepeated(ILogger logger, string clusterId, int before, int after);
}
