using System.IO.Compression;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging.Abstractions;
using UserData.Providers.DynamoDB.Journal;
using UserData.Providers.Journal;
using UserData.Providers.Tests.DynamoDB;
using UserData.TestSupport;

namespace UserData.Providers.Tests.Journal;

/// <summary>The journal in tables of their own (a fresh prefix) on the test process's DynamoDB Local.</summary>
public sealed class DynamoDBJournalBackend : JournalBackend
{
    private readonly List<DynamoDBEventJournalStore> _stores = [];
    private readonly string _prefix = DynamoDbLocal.NewTablePrefix();

    private DynamoDBJournalBackend(string serviceUrl, AmazonDynamoDBClient client)
    {
        ServiceUrl = serviceUrl;
        Client = client;
    }

    public string ServiceUrl { get; }

    /// <summary>The tests' own client of DynamoDB Local.</summary>
    public AmazonDynamoDBClient Client { get; }

    public string JournalTable => _prefix + "journal";

    public string SnapshotTable => _prefix + "snapshots";

    public static async Task<DynamoDBJournalBackend> CreateAsync() =>
        new((await DynamoDbLocal.Shared).ServiceUrl, await DynamoDBLocalClient.CreateAsync());

    public override string Provider => "dynamodb";

    public override void AddJournal(ISiloBuilder silo, Action<IEventJournalOptions> configure) =>
        silo.AddDynamoDBEventJournal(ProviderName, options =>
        {
            Configure(options);
            configure(options);
        });

    /// <summary>Points <paramref name="options"/> at this backend's tables on DynamoDB Local.</summary>
    public void Configure(DynamoDBEventJournalOptions options)
    {
        options.ServiceUrl = ServiceUrl;
        options.Region = DynamoDbLocal.Region;
        options.JournalTableName = JournalTable;
        options.SnapshotTableName = SnapshotTable;
    }

    internal override async Task<IEventJournalStore> OpenStoreAsync() => await OpenAsync();

    internal async Task<DynamoDBEventJournalStore> OpenAsync(IAmazonDynamoDB? client = null)
    {
        var options = new DynamoDBEventJournalOptions();
        Configure(options);
        var store = new DynamoDBEventJournalStore(client ?? Client, ownsClient: false, options, NullLogger<DynamoDBEventJournalStore>.Instance);
        _stores.Add(store);
        await store.StartAsync(CancellationToken.None);
        return store;
    }

    /// <summary>Every attribute of every item of both tables; a large snapshot's chunks are joined and decompressed first.</summary>
    public override async Task<bool> StoresTextAsync(string text)
    {
        var chunks = new List<(string Part, MemoryStream Data)>();
        foreach (var table in new[] { JournalTable, SnapshotTable })
        {
            foreach (var item in await ScanAsync(table))
            {
                foreach (var value in item.Values)
                {
                    if (value.B is { } data)
                    {
                        chunks.Add((item["part"].S, data));
                    }
                    else if (Text(value).Contains(text, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
            }
        }

        // Chunk keys are {prefix}#{index:D5}: one compressed snapshot per prefix, in key order.
        foreach (var snapshot in chunks.OrderBy(chunk => chunk.Part, StringComparer.Ordinal).GroupBy(chunk => chunk.Part[..chunk.Part.LastIndexOf('#')]))
        {
            using var joined = new MemoryStream();
            foreach (var (_, data) in snapshot)
            {
                data.WriteTo(joined);
            }

            joined.Position = 0;
            using var reader = new StreamReader(new GZipStream(joined, CompressionMode.Decompress), Encoding.UTF8);
            if ((await reader.ReadToEndAsync()).Contains(text, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public async Task<List<Dictionary<string, AttributeValue>>> ScanAsync(string table)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        var request = new ScanRequest { TableName = table, ConsistentRead = true };
        do
        {
            var page = await Client.ScanAsync(request);
            items.AddRange(page.Items ?? []);
            request.ExclusiveStartKey = page.LastEvaluatedKey;
        }
        while (request.ExclusiveStartKey is { Count: > 0 });

        return items;
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.StopAsync(CancellationToken.None);
        }

        Client.Dispose();
    }

    private static string Text(AttributeValue value) =>
        value.S ?? value.N ?? (value.L is { } list ? string.Join('\n', list.Select(Text)) : value.NULL == true ? "" : value.ToString()!);
}
