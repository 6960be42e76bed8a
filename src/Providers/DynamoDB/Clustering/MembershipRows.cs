using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Orleans;
using Orleans.Runtime;

namespace UserData.Providers.DynamoDB.Clustering;

/// <summary>
/// How the membership table is laid out. Partition key <c>cluster</c> (S): the cluster id, one partition per cluster (the
/// cluster id alone, as Orleans' own clustering providers key it and as <c>DeleteMembershipTableEntries(clusterId)</c> names it).
/// Sort key <c>silo</c> (S): the silo address as <see cref="SiloAddress.ToParsableString"/> (<c>10.0.0.5:11111@431708453</c>),
/// or <c>$version</c> for the cluster's version row (<c>version</c> N, <c>etag</c> S). A silo row holds its <c>etag</c> (S)
/// and the entry in readable attributes: <c>status</c> (S, e.g. <c>Active</c>), <c>silo_name</c>, <c>host_name</c> (S),
/// <c>proxy_port</c> (N, 0 when the silo is no gateway), <c>role_name</c> (S, when set), <c>update_zone</c>, <c>fault_zone</c>
/// (N), <c>start_time</c>, <c>i_am_alive_time</c> (S, ISO 8601 UTC) and <c>suspect_times</c> (L of M with <c>silo</c> and
/// <c>time</c>; absent when the entry has none).
/// </summary>
internal static class MembershipRows
{
    public const string Cluster = "cluster";
    public const string Silo = "silo";
    public const string Version = "version";
    public const string ETag = "etag";
    public const string Status = "status";
    public const string SiloName = "silo_name";
    public const string HostName = "host_name";
    public const string ProxyPort = "proxy_port";
    public const string RoleName = "role_name";
    public const string UpdateZone = "update_zone";
    public const string FaultZone = "fault_zone";
    public const string StartTime = "start_time";
    public const string IAmAliveTime = "i_am_alive_time";
    public const string SuspectTimes = "suspect_times";
    public const string SuspectingSilo = "silo";
    public const string SuspectTime = "time";

    /// <summary>The version row's sort key; '$' cannot begin a silo address.</summary>
    public const string VersionRow = "$version";

    /// <summary>What a cluster without a version row reads as; Orleans treats (0, "0") as "no version yet".</summary>
    public static readonly TableVersion NoVersion = new(0, "0");

    public static CreateTableRequest TableDefinition(string tableName) => new()
    {
        TableName = tableName,
        AttributeDefinitions = [new AttributeDefinition(Cluster, ScalarAttributeType.S), new AttributeDefinition(Silo, ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement(Cluster, KeyType.HASH), new KeySchemaElement(Silo, KeyType.RANGE)],
    };

    public static Dictionary<string, AttributeValue> Key(string clusterId, string sortKey) => new()
    {
        [Cluster] = new AttributeValue { S = clusterId },
        [Silo] = new AttributeValue { S = sortKey },
    };

    public static Dictionary<string, AttributeValue> Key(string clusterId, SiloAddress silo) => Key(clusterId, silo.ToParsableString());

    public static bool IsVersionRow(Dictionary<string, AttributeValue> item) => item[Silo].S == VersionRow;

    public static Dictionary<string, AttributeValue> VersionItem(string clusterId, int version, string etag)
    {
        var item = Key(clusterId, VersionRow);
        item[Version] = Number(version);
        item[ETag] = new AttributeValue { S = etag };
        return item;
    }

    public static TableVersion ParseVersion(Dictionary<string, AttributeValue>? item) =>
        item is { Count: > 0 } ? new TableVersion(int.Parse(item[Version].N, CultureInfo.InvariantCulture), item[ETag].S) : NoVersion;

    public static Dictionary<string, AttributeValue> SiloItem(string clusterId, MembershipEntry entry, string etag)
    {
        var item = Key(clusterId, entry.SiloAddress);
        item[ETag] = new AttributeValue { S = etag };
        item[Status] = new AttributeValue { S = entry.Status.ToString() };
        item[SiloName] = new AttributeValue { S = entry.SiloName ?? string.Empty };
        item[HostName] = new AttributeValue { S = entry.HostName ?? string.Empty };
        item[ProxyPort] = Number(entry.ProxyPort);
        if (entry.RoleName is not null)
        {
            item[RoleName] = new AttributeValue { S = entry.RoleName };
        }

        item[UpdateZone] = Number(entry.UpdateZone);
        item[FaultZone] = Number(entry.FaultZone);
        item[StartTime] = Time(entry.StartTime);
        item[IAmAliveTime] = Time(entry.IAmAliveTime);
        if (entry.SuspectTimes is { } suspectTimes)
        {
            item[SuspectTimes] = new AttributeValue
            {
                L = suspectTimes.Select(vote => new AttributeValue
                {
                    M = new Dictionary<string, AttributeValue>
                    {
                        [SuspectingSilo] = new() { S = vote.Item1.ToParsableString() },
                        [SuspectTime] = Time(vote.Item2),
                    },
                }).ToList(),
            };
        }

        return item;
    }

    /// <returns>The entry and its row etag.</returns>
    public static Tuple<MembershipEntry, string> ParseSilo(Dictionary<string, AttributeValue> item)
    {
        var entry = new MembershipEntry
        {
            SiloAddress = SiloAddress.FromParsableString(item[Silo].S),
            Status = Enum.Parse<SiloStatus>(item[Status].S),
            SiloName = item[SiloName].S,
            HostName = item[HostName].S,
            ProxyPort = ParseInt(item[ProxyPort]),
            RoleName = item.TryGetValue(RoleName, out var role) ? role.S : null,
            UpdateZone = ParseInt(item[UpdateZone]),
            FaultZone = ParseInt(item[FaultZone]),
            StartTime = ParseTime(item[StartTime]),
            IAmAliveTime = ParseTime(item[IAmAliveTime]),
        };
        if (item.TryGetValue(SuspectTimes, out var votes))
        {
            // An empty list stays an empty list (not null): the entry reads back exactly as it was written.
            entry.SuspectTimes = (votes.L ?? []).Select(vote => Tuple.Create(
                SiloAddress.FromParsableString(vote.M[SuspectingSilo].S), ParseTime(vote.M[SuspectTime]))).ToList();
        }

        return Tuple.Create(entry, item[ETag].S);
    }

    /// <summary>
    /// The latest of the entry's start, liveness and suspect-vote times: the time Orleans' cleanup agent judges a defunct
    /// entry's age by, so a silo declared dead recently is kept even when its last heartbeat is old.
    /// </summary>
    public static DateTimeOffset LastUpdate(MembershipEntry entry)
    {
        var latest = Utc(entry.StartTime) > Utc(entry.IAmAliveTime) ? Utc(entry.StartTime) : Utc(entry.IAmAliveTime);
        foreach (var (_, time) in entry.SuspectTimes ?? [])
        {
            if (Utc(time) > latest)
            {
                latest = Utc(time);
            }
        }

        return new DateTimeOffset(latest);
    }

    /// <summary>Every item of <paramref name="clusterId"/>'s partition that passes the optional filter, read consistently, all pages.</summary>
    public static async Task<List<Dictionary<string, AttributeValue>>> QueryClusterAsync(
        IAmazonDynamoDB client, string tableName, string clusterId, CancellationToken cancellationToken, Action<QueryRequest>? refine = null)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var request = new QueryRequest
            {
                TableName = tableName,
                ConsistentRead = true,
                KeyConditionExpression = "#cluster = :cluster",
                ExpressionAttributeNames = new() { ["#cluster"] = Cluster },
                ExpressionAttributeValues = new() { [":cluster"] = new AttributeValue { S = clusterId } },
                ExclusiveStartKey = start,
            };
            refine?.Invoke(request);
            var page = await client.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items ?? []);
            start = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (start is not null);

        return items;
    }

    public static AttributeValue Time(DateTime time) => new() { S = Utc(time).ToString("O", CultureInfo.InvariantCulture) };

    public static AttributeValue Number(int value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    // Orleans writes UTC times; one of unspecified kind is taken as UTC, as Orleans itself does.
    private static DateTime Utc(DateTime time) =>
        time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc);

    private static DateTime ParseTime(AttributeValue value) =>
        DateTime.ParseExact(value.S, "O", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static int ParseInt(AttributeValue value) => int.Parse(value.N, CultureInfo.InvariantCulture);
}
