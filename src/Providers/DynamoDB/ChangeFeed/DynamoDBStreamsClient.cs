using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace UserData.Providers.DynamoDB.ChangeFeed;

/// <summary>
/// The three DynamoDB Streams calls the change feed makes (DescribeStream, GetShardIterator, GetRecords), over the
/// service's JSON protocol and signed with the AWS SDK's Signature Version 4 signer: the SDK's Streams client is a
/// package of its own (AWSSDK.DynamoDBStreams) that this project's registry does not serve.
/// </summary>
internal sealed class DynamoDBStreamsClient : IDisposable
{
    private const string TargetPrefix = "DynamoDBStreams_20120810.";
    private const string ContentType = "application/x-amz-json-1.0";
    private const string SigningService = "dynamodb";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string _region;
    private readonly AWSCredentials _credentials;

    /// <param name="serviceUrl">DynamoDB Local's endpoint (which also serves Streams), or null for AWS's Streams endpoint of <paramref name="region"/>.</param>
    public DynamoDBStreamsClient(string? serviceUrl, string region, AWSCredentials credentials)
    {
        _endpoint = new Uri(string.IsNullOrEmpty(serviceUrl) ? $"https://streams.dynamodb.{region}.amazonaws.com/" : serviceUrl.TrimEnd('/') + "/");
        _region = region;
        _credentials = credentials;
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public Task<JsonObject> DescribeStreamAsync(string streamArn, string? exclusiveStartShardId, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["StreamArn"] = streamArn, ["Limit"] = 100 };
        if (exclusiveStartShardId is not null)
        {
            body["ExclusiveStartShardId"] = exclusiveStartShardId;
        }

        return CallAsync("DescribeStream", body, cancellationToken);
    }

    /// <param name="afterSequenceNumber">Null: the oldest record the shard keeps (TRIM_HORIZON).</param>
    public async Task<string?> GetShardIteratorAsync(string streamArn, string shardId, string? afterSequenceNumber, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["StreamArn"] = streamArn,
            ["ShardId"] = shardId,
            ["ShardIteratorType"] = afterSequenceNumber is null ? "TRIM_HORIZON" : "AFTER_SEQUENCE_NUMBER",
        };
        if (afterSequenceNumber is not null)
        {
            body["SequenceNumber"] = afterSequenceNumber;
        }

        var answer = await CallAsync("GetShardIterator", body, cancellationToken).ConfigureAwait(false);
        return answer["ShardIterator"]?.GetValue<string>();
    }

    public Task<JsonObject> GetRecordsAsync(string shardIterator, int limit, CancellationToken cancellationToken) =>
        CallAsync("GetRecords", new JsonObject { ["ShardIterator"] = shardIterator, ["Limit"] = Math.Clamp(limit, 1, 1000) }, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<JsonObject> CallAsync(string operation, JsonObject body, CancellationToken cancellationToken)
    {
        var payload = Encoding.UTF8.GetBytes(body.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(payload) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        await SignAsync(request, TargetPrefix + operation, payload).ConfigureAwait(false);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = TryParse(text);
            var type = error?["__type"]?.GetValue<string>() is { } full ? full[(full.LastIndexOf('#') + 1)..] : $"HTTP {(int)response.StatusCode}";
            var message = error?["message"]?.GetValue<string>() ?? error?["Message"]?.GetValue<string>() ?? text;
            throw new DynamoDBStreamsException(type, $"DynamoDB Streams {operation} failed: {type}: {message}");
        }

        return TryParse(text) ?? throw new DynamoDBStreamsException("InvalidResponse", $"DynamoDB Streams {operation} answered something that is not a JSON object.");
    }

    /// <summary>Signature Version 4 over the headers this client sends; the SDK's signer computes the signature.</summary>
    private async Task SignAsync(HttpRequestMessage request, string target, byte[] payload)
    {
        var credentials = await _credentials.GetCredentialsAsync().ConfigureAwait(false);
        var now = DateTime.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = ContentType,
            ["host"] = _endpoint.IsDefaultPort ? _endpoint.Host : $"{_endpoint.Host}:{_endpoint.Port}",
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = target,
        };
        if (credentials.UseToken)
        {
            headers["x-amz-security-token"] = credentials.Token;
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonicalRequest = string.Join('\n',
            "POST",
            _endpoint.AbsolutePath,
            string.Empty,
            string.Concat(headers.Select(header => $"{header.Key}:{header.Value}\n")),
            signedHeaders,
            Convert.ToHexStringLower(SHA256.HashData(payload)));
        var signature = AWS4Signer.ComputeSignature(credentials, _region, now, SigningService, signedHeaders, canonicalRequest);
        foreach (var (name, value) in headers.Where(header => header.Key is not ("content-type" or "host")))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.ForAuthorizationHeader);
    }

    private static JsonObject? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>An error answer of DynamoDB Streams; <see cref="ErrorType"/> is its type without namespace, e.g. <c>ExpiredIteratorException</c>.</summary>
public sealed class DynamoDBStreamsException : Exception
{
    public DynamoDBStreamsException(string errorType, string message)
        : base(message) => ErrorType = errorType;

    public DynamoDBStreamsException()
        : this("Unknown", "DynamoDB Streams failed.")
    {
    }

    public DynamoDBStreamsException(string message)
        : this("Unknown", message)
    {
    }

    public DynamoDBStreamsException(string message, Exception innerException)
        : base(message, innerException) => ErrorType = "Unknown";

    public string ErrorType { get; }
}
