using System.Reflection;
using System.Runtime.ExceptionServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace UserData.Runtime.Tests.Storage;

/// <summary>
/// A DynamoDB client whose every PutItem reaches the table twice and answers with the second outcome: what the SDK
/// does when a put succeeds, its response is lost, and the SDK retries it.
/// </summary>
public class DynamoDbLostResponseClient : DispatchProxy
{
    private IAmazonDynamoDB? _inner;

    private IAmazonDynamoDB Inner => _inner ?? throw new InvalidOperationException("Create with Wrap.");

    public static IAmazonDynamoDB Wrap(IAmazonDynamoDB inner)
    {
        var client = Create<IAmazonDynamoDB, DynamoDbLostResponseClient>();
        ((DynamoDbLostResponseClient)(object)client)._inner = inner;
        return client;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (args is [PutItemRequest request, CancellationToken cancellationToken])
        {
            return PutTwiceAsync(request, cancellationToken);
        }

        try
        {
            return targetMethod.Invoke(Inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(exception.InnerException);
            throw;
        }
    }

    private async Task<PutItemResponse> PutTwiceAsync(PutItemRequest request, CancellationToken cancellationToken)
    {
        await Inner.PutItemAsync(request, cancellationToken);
        return await Inner.PutItemAsync(request, cancellationToken);
    }
}
