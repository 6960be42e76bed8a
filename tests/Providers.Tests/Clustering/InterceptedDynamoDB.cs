using System.Reflection;
using System.Runtime.ExceptionServices;
using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace UserData.Providers.Tests.Clustering;

/// <summary>
/// An <see cref="IAmazonDynamoDB"/> that forwards every call to a real client and counts the calls; once cut off, every call
/// fails as if DynamoDB were unreachable (what a crashed process's table writes amount to).
/// </summary>
public class InterceptedDynamoDB : DispatchProxy
{
    private IAmazonDynamoDB _inner = null!;
    private int _calls;
    private volatile bool _cutOff;

    /// <summary>The number of calls made through the wrapper.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public static (IAmazonDynamoDB Client, InterceptedDynamoDB Interceptor) Wrap(IAmazonDynamoDB inner)
    {
        var client = Create<IAmazonDynamoDB, InterceptedDynamoDB>();
        var interceptor = (InterceptedDynamoDB)(object)client;
        interceptor._inner = inner;
        return (client, interceptor);
    }

    public void CutOff() => _cutOff = true;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Interlocked.Increment(ref _calls);
        if (_cutOff)
        {
            throw new AmazonServiceException("This DynamoDB client was cut off by the test.");
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException forwarded) when (forwarded.InnerException is { } inner)
        {
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }
}
