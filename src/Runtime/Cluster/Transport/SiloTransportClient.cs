using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using UserData.Runtime.Cluster.Placement;
using UserData.Runtime.Diagnostics.Prometheus;
using UserData.Runtime.Dispatch;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;

namespace UserData.Runtime.Cluster.Transport;

/// <summary>Sends one grain call to one silo over HTTP/2 cleartext (h2c), signed with the cluster secret.</summary>
internal sealed class SiloTransportClient : IDisposable
{
    public const string CallPath = "/cluster/v1/call";

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpClient _http;
    private readonly RequestSigner _signer;
    private readonly TimeSpan _timeout;

    public SiloTransportClient(RequestSigner signer, IOptions<GrainRuntimeOptions> runtimeOptions)
    {
        _signer = signer;

        // A little longer than the remote silo's own response timeout, so its timeout answer arrives first.
        _timeout = runtimeOptions.Value.ResponseTimeout + TimeSpan.FromSeconds(5);
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <exception cref="SiloUnavailableException">The silo refused the connection, did not accept it in time, or answered "not owner"/"unavailable": the call did not run.</exception>
    /// <exception cref="SiloConnectionLostException">The connection broke after the call was sent.</exception>
    public async Task<TResult> SendAsync<TResult>(SiloEndpoint silo, GrainId grainId, GrainMethod method, object?[] arguments, int hops)
    {
        var body = CallMessages.WriteRequest(grainId, method, arguments, hops);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://{silo.Address}{CallPath}"))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = JsonContentType } },

            // h2c: with an exact version 2.0, SocketsHttpHandler speaks HTTP/2 over cleartext without an upgrade.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var (timestamp, nonce, signature) = _signer.Sign("POST", CallPath, body);
        request.Headers.Add(RequestSigner.TimestampHeader, timestamp);
        request.Headers.Add(RequestSigner.NonceHeader, nonce);
        request.Headers.Add(RequestSigner.SignatureHeader, signature);

        using var timeout = new CancellationTokenSource(_timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw new SiloUnavailableException($"Silo {silo.SiloId} at {silo.Address} refused the connection; {grainId}.{method.Name} was not sent.", exception);
        }
        catch (HttpRequestException exception)
        {
            throw new SiloConnectionLostException($"The call {grainId}.{method.Name} to silo {silo.Address} failed after it was sent: {exception.Message}", exception);
        }
        catch (OperationCanceledException exception) when (!timeout.IsCancellationRequested && exception.InnerException is TimeoutException)
        {
            // SocketsHttpHandler's ConnectTimeout (a silo whose host vanished drops the SYN): no connection, nothing sent.
            throw new SiloUnavailableException($"Silo {silo.SiloId} at {silo.Address} did not accept the connection; {grainId}.{method.Name} was not sent.", exception);
        }
        catch (OperationCanceledException exception) when (timeout.IsCancellationRequested)
        {
            throw new GrainCallTimeoutException($"Silo {silo.Address} did not answer {grainId}.{method.Name} within {_timeout.TotalSeconds:0.#} s.", exception);
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var reason = await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
                throw new SiloConnectionLostException($"Silo {silo.Address} answered {(int)response.StatusCode} to {grainId}.{method.Name}: {reason}");
            }

            var answer = await response.Content.ReadAsByteArrayAsync(CancellationToken.None).ConfigureAwait(false);
            return CallMessages.ReadAnswer<TResult>(answer, method.ResultType);
        }
    }

    /// <summary>The silo's collected metric families (<see cref="SiloMetricsRoute"/>).</summary>
    /// <exception cref="HttpRequestException">No connection, or an answer other than 200.</exception>
    public async Task<IReadOnlyList<MetricFamily>> GetMetricsAsync(SiloEndpoint silo, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{silo.Address}{SiloMetricsRoute.Path}"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var (timestamp, nonce, signature) = _signer.Sign("GET", SiloMetricsRoute.Path, []);
        request.Headers.Add(RequestSigner.TimestampHeader, timestamp);
        request.Headers.Add(RequestSigner.NonceHeader, nonce);
        request.Headers.Add(RequestSigner.SignatureHeader, signature);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(answer, MetricsJsonContext.Default.IReadOnlyListMetricFamily) ?? [];
    }

    public void Dispose() => _http.Dispose();
}
