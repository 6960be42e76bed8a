using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using UserData.Runtime.Storage.DynamoDB;
using UserData.TestSupport;

namespace UserData.Runtime.Tests.Storage;

/// <summary>A dynalite of the test class's own, a client for it, and a storage on tables of a unique prefix.</summary>
public sealed class DynamoDbFixture : IAsyncLifetime
{
    private DynaliteServer? _server;
    private AmazonDynamoDBClient? _client;
    private DynamoDbJournalStorage? _storage;

    public string ServiceUrl => (_server ?? throw NotStarted()).ServiceUrl;

    public IAmazonDynamoDB Client => _client ?? throw NotStarted();

    /// <summary>The table prefix of <see cref="Storage"/>.</summary>
    public string TablePrefix { get; } = UniquePrefix();

    /// <summary>Shared by the class's tests, which each use grain ids of their own.</summary>
    public DynamoDbJournalStorage Storage => _storage ?? throw NotStarted();

    public async Task InitializeAsync()
    {
        _server = await DynaliteServer.StartAsync();
        _client = new AmazonDynamoDBClient(
            new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = _server.ServiceUrl, AuthenticationRegion = "us-east-1" });
        _storage = CreateStorage(TablePrefix);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public static string UniquePrefix() => $"t{Guid.NewGuid():N}-";

    public DynamoDbJournalStorage CreateStorage(string tablePrefix, bool createTables = true, IAmazonDynamoDB? client = null) =>
        new(client ?? Client, new DynamoDbJournalOptions { TablePrefix = tablePrefix, CreateTables = createTables }, NullLogger<DynamoDbJournalStorage>.Instance);

    private static InvalidOperationException NotStarted() => new("The DynamoDB fixture is not initialized.");
}
