using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Cluster.Transport;

/// <summary>
/// Serves the silo port: checks the request's signature and that it is not a replay (401 and a log line otherwise), decodes the call, runs or
/// forwards it, and answers 200 with its result or failure. Grain outcomes are never HTTP errors.
/// </summary>
internal sealed partial class SiloCallHandler(
    RequestSigner signer,
    RemoteMethodTable methods,
    ClusterCallRouter router,
    IClusterMembership membership,
    SiloMetricsRoute metricsRoute,
    ILogger<SiloCallHandler> logger)
{
    /// <summary>Far above any grain call's arguments (the HTTP API caps bodies at 64 KiB).</summary>
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (request.Path == SiloMetricsRoute.Path)
        {
            await metricsRoute.HandleAsync(context).ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsPost(request.Method) || request.Path != SiloTransportClient.CallPath)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var body = await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var refused = signer.Verify(request, body);
        if (refused is not null)
        {
            LogRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", refused);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        CallRequest call;
        try
        {
            call = CallMessages.ReadRequest(body, methods);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or NotSupportedException)
        {
            // The caller proved it holds the secret, so it may learn what was wrong with its message.
            LogMalformed(logger, exception);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(exception.Message, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var answer = await AnswerAsync(call).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = answer.Length;
        await context.Response.Body.WriteAsync(answer, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task<byte[]> AnswerAsync(CallRequest call)
    {
        if (!membership.IsServing && membership.LocalStatus != SiloStatus.ShuttingDown)
        {
            // Fenced or not yet Active: this silo must not run grains, and its view may be stale for forwarding.
            return CallMessages.WriteFailure(CallFailure.Unavailable, null, $"Silo {membership.LocalSiloId} is not serving grains.");
        }

        try
        {
            var result = await router.ReceiveAsync(call).ConfigureAwait(false);
            return CallMessages.WriteResult(result, call.Method.ResultType);
        }
        catch (NotOwnerException exception)
        {
            return CallMessages.WriteFailure(CallFailure.NotOwner, null, exception.Message);
        }
        catch (SiloUnavailableException exception)
        {
            return CallMessages.WriteFailure(CallFailure.Unavailable, null, exception.Message);
        }
        catch (StaleActivationException exception)
        {
            return CallMessages.WriteFailure(CallFailure.Stale, null, exception.Message);
        }
        catch (GrainOverloadedException exception)
        {
            return CallMessages.WriteFailure(CallFailure.Overloaded, null, exception.Message);
        }
        catch (GrainCallTimeoutException exception)
        {
            return CallMessages.WriteFailure(CallFailure.Timeout, null, exception.Message);
        }
#pragma warning disable CA1031 // Whatever the grain threw belongs to the caller, with its type and message.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return CallMessages.WriteFailure(CallFailure.Exception, RemoteExceptions.TypeName(exception), exception.Message);
        }
    }

    /// <summary>The whole body, or null when it exceeds <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length)
        {
            // Our client always sends the length (checked against MaxBodyBytes above, and enforced by Kestrel), so
            // the body is read straight into its array: no copy, and no read buffer per call.
            var body = new byte[length];
            await request.Body.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
            return body;
        }

        using var buffer = new MemoryStream(1024);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a silo-port request from {Remote}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a malformed silo-port call")]
    private static partial void LogMalformed(ILogger logger, Exception exception);
}
