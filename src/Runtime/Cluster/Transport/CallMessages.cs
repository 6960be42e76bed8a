using System.Buffers;
using System.Text.Json;
using UserData.Runtime.Dispatch;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Cluster.Transport;

/// <summary>A grain call as it crosses the silo port.</summary>
internal sealed record CallRequest(GrainId GrainId, GrainMethod Method, object?[] Arguments, int Hops);

/// <summary>Why a call did not produce a result, as the caller must handle it.</summary>
internal enum CallFailure
{
    /// <summary>The receiving silo is not the owner by its view, and the call was already forwarded once: retry.</summary>
    NotOwner,

    /// <summary>The silo is fenced, shutting down or the grain could not be placed: retry (the call did not run).</summary>
    Unavailable,

    /// <summary>The activation was stale even after the runtime's own retry: retry.</summary>
    Stale,

    Overloaded,
    Timeout,

    /// <summary>The grain threw: its exception's type and message.</summary>
    Exception,
}

/// <summary>
/// The JSON of calls and answers: <c>{"type","key","method","hops","args":[...]}</c>, and <c>{"result": ...}</c> or
/// <c>{"failure","exception_type","message"}</c>. Arguments and results are serialized with the interface method's
/// declared types, which both sides know.
/// </summary>
internal static class CallMessages
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static byte[] WriteRequest(GrainId grainId, GrainMethod method, object?[] arguments, int hops)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", grainId.Type);
            writer.WriteString("key", grainId.Key);
            writer.WriteString("method", method.Signature);
            writer.WriteNumber("hops", hops);
            writer.WriteStartArray("args");
            for (var index = 0; index < arguments.Length; index++)
            {
                JsonSerializer.Serialize(writer, arguments[index], method.ParameterTypes[index], Json);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="JsonException">Malformed, or naming an unknown grain type or method.</exception>
    public static CallRequest ReadRequest(ReadOnlySpan<byte> body, RemoteMethodTable methods)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString() ?? throw new JsonException("type is null.");
        var key = root.GetProperty("key").GetString() ?? throw new JsonException("key is null.");
        var signature = root.GetProperty("method").GetString() ?? throw new JsonException("method is null.");
        var method = methods.Find(type, signature) ?? throw new JsonException($"Unknown grain method {type}.{signature}.");
        var args = root.GetProperty("args");
        if (args.GetArrayLength() != method.ParameterTypes.Count)
        {
            throw new JsonException($"{type}.{signature} takes {method.ParameterTypes.Count} arguments, not {args.GetArrayLength()}.");
        }

        var arguments = new object?[method.ParameterTypes.Count];
        var index = 0;
        foreach (var argument in args.EnumerateArray())
        {
            arguments[index] = argument.Deserialize(method.ParameterTypes[index], Json);
            index++;
        }

        GrainId grainId;
        try
        {
            grainId = new GrainId(type, key);
        }
        catch (ArgumentException exception)
        {
            throw new JsonException(exception.Message, exception);
        }

        return new CallRequest(grainId, method, arguments, root.GetProperty("hops").GetInt32());
    }

    public static byte[] WriteResult(object? result, Type? resultType)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("result");
            JsonSerializer.Serialize(writer, result, resultType ?? typeof(object), Json);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] WriteFailure(CallFailure failure, string? exceptionType, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("failure", failure.ToString());
            if (exceptionType is not null)
            {
                writer.WriteString("exception_type", exceptionType);
            }

            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The result, or the exception that the failure stands for on the caller's side.</summary>
    public static TResult ReadAnswer<TResult>(ReadOnlySpan<byte> body, Type? resultType)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.TryGetProperty("result", out var result))
        {
            return resultType is null ? default! : (TResult)result.Deserialize(resultType, Json)!;
        }

        var failure = Enum.Parse<CallFailure>(root.GetProperty("failure").GetString()!);
        var message = root.GetProperty("message").GetString() ?? string.Empty;
        var exceptionType = root.TryGetProperty("exception_type", out var typeName) ? typeName.GetString() : null;
        throw ToException(failure, exceptionType, message);
    }

    private static Exception ToException(CallFailure failure, string? exceptionType, string message) => failure switch
    {
        CallFailure.NotOwner or CallFailure.Unavailable => new SiloUnavailableException(message),
        CallFailure.Stale => new StaleActivationException(message),
        CallFailure.Overloaded => new GrainOverloadedException(message),
        CallFailure.Timeout => new GrainCallTimeoutException(message),
        _ => RemoteExceptions.Create(exceptionType, message),
    };
}
