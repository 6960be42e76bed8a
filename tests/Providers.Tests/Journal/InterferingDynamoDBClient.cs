using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using UserData.TestSupport;

namespace UserData.Providers.Tests.Journal;

/// <summary>
/// A real client of DynamoDB Local that a test can make misbehave: fail every read and put (the service is down), fail
/// the puts into one table, or perform a put and then throw as if its answer was lost. It counts those calls and the
/// items queries returned.
/// </summary>
internal sealed class InterferingDynamoDBClient : AmazonDynamoDBClient
{
    private string? _losePutAnswerFromTable;
    private string? _failPutsInto;
    private int _calls;
    private int _queriedItems;

    private InterferingDynamoDBClient(string serviceUrl)
        : base(
            new BasicAWSCredentials(DynamoDbLocal.AccessKey, DynamoDbLocal.SecretKey),
            new AmazonDynamoDBConfig { ServiceURL = serviceUrl, AuthenticationRegion = DynamoDbLocal.Region })
    {
    }

    /// <summary>While true every read and put fails before reaching the service.</summary>
    public bool Down { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public int QueriedItems => Volatile.Read(ref _queriedItems);

    public static async Task<InterferingDynamoDBClient> CreateAsync() => new((await DynamoDbLocal.Shared).ServiceUrl);

    /// <summary>The next put into <paramref name="table"/> is performed, and then its caller gets an error instead of the answer.</summary>
    public void LoseNextPutAnswer(string table) => Volatile.Write(ref _losePutAnswerFromTable, table);

    /// <summary>From now on every put into <paramref name="table"/> fails before reaching the service.</summary>
    public void FailPutsInto(string table) => Volatile.Write(ref _failPutsInto, table);

    public void ResetCounts()
    {
        Volatile.Write(ref _calls, 0);
        Volatile.Write(ref _queriedItems, 0);
    }

    public override async Task<PutItemResponse> PutItemAsync(PutItemRequest request, CancellationToken cancellationToken = default)
    {
        Call();
        if (Volatile.Read(ref _failPutsInto) == request.TableName)
        {
            throw new AmazonDynamoDBException($"Puts into {request.TableName} fail (test).");
        }

        var response = await base.PutItemAsync(request, cancellationToken);
        if (Interlocked.CompareExchange(ref _losePutAnswerFromTable, null, request.TableName) == request.TableName)
        {
            throw new HttpRequestException("The connection dropped before the answer arrived (test).");
        }

        return response;
    }

    public override async Task<QueryResponse> QueryAsync(QueryRequest request, CancellationToken cancellationToken = default)
    {
        Call();
        var response = await base.QueryAsync(request, cancellationToken);
        Interlocked.Add(ref _queriedItems, response.Items?.Count ?? 0);
        return response;
    }

    public override Task<GetItemResponse> GetItemAsync(GetItemRequest request, CancellationToken cancellationToken = default)
    {
        Call();
        return base.GetItemAsync(request, cancellationToken);
    }

    private void Call()
    {
        Interlocked.Increment(ref _calls);
        if (Down)
        {
            throw new AmazonDynamoDBException("Service unavailable (test).");
        }
    }
}
