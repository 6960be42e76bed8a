using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using UserData.Cluster.Tests.Grains;
using UserData.Cluster.Tests.Support;
using UserData.Runtime.Cluster.Transport;
using UserData.Runtime.Grains;
using UserData.TestSupport;

namespace UserData.Cluster.Tests;

/// <summary>The silo port: only signed requests are served, each once; calls are forwarded to owners; exceptions cross with type and message.</summary>
public sealed class SiloPortTests(ClusterEnvironment environment) : IClassFixture<ClusterEnvironment>, IAsyncLifetime
{
    private const string CallPath = "/cluster/v1/call";
    private const string MetricsPath = "/cluster/v1/metrics";
    private InProcessSilo? _a;
    private InProcessSilo? _b;

    private InProcessSilo A => _a!;

    private InProcessSilo B => _b!;

    public async Task InitializeAsync()
    {
        _a = await InProcessSilo.StartAsync(environment);
        _b = await InProcessSilo.StartAsync(environment);
        await Eventually.TrueAsync(() => A.Membership.View.Silos.Count == 2 && B.Membership.View.Silos.Count == 2, because: "both silos active");
    }

    public async Task DisposeAsync()
    {
        await (_a?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (_b?.DisposeAsync() ?? ValueTask.CompletedTask);
    }

    [Fact]
    public async Task A_request_without_a_signature_is_refused()
    {
        using var http = H2cClient();
        using var response = await http.SendAsync(Request(A.SiloPort, CallBody("unsigned")));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_metrics_route_refuses_an_unsigned_request_and_answers_a_signed_one()
    {
        using var http = H2cClient();
        using var unsigned = await http.SendAsync(MetricsRequest(A.SiloPort));
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        using var request = MetricsRequest(A.SiloPort);
        var (timestamp, nonce, signature) = Signer().Sign("GET", MetricsPath, []);
        request.Headers.Add(RequestSigner.TimestampHeader, timestamp);
        request.Headers.Add(RequestSigner.NonceHeader, nonce);
        request.Headers.Add(RequestSigner.SignatureHeader, signature);
        using var signed = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.StartsWith("[", await signed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_signed_with_another_secret_is_refused()
    {
        using var http = H2cClient();
        using var response = await http.SendAsync(Signed(A.SiloPort, CallBody("wrong"), new RequestSigner("not-the-cluster-secret-at-all", TimeSpan.FromMinutes(5))));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_request_whose_body_was_changed_after_signing_is_refused()
    {
        using var http = H2cClient();
        var request = Signed(A.SiloPort, CallBody("original"), Signer());
        request.Content = new ByteArrayContent(CallBody("tampered"));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task An_old_signed_request_is_refused()
    {
        using var http = H2cClient();
        var past = new FixedTime(DateTimeOffset.UtcNow.AddMinutes(-10));
        using var response = await http.SendAsync(Signed(A.SiloPort, CallBody("replayed"), new RequestSigner(ClusterEnvironment.Secret, TimeSpan.FromMinutes(5), past)));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_replayed_signed_request_is_refused()
    {
        using var http = H2cClient();
        using var original = Signed(A.SiloPort, CallBody("captured"), Signer());
        using var replay = Request(A.SiloPort, CallBody("captured"));
        foreach (var header in original.Headers)
        {
            replay.Headers.Add(header.Key, header.Value);
        }

        using var first = await http.SendAsync(original);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await http.SendAsync(replay);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
    }

    [Fact]
    public async Task Concurrent_calls_through_a_pure_gateway_are_not_taken_for_replays()
    {
        using var client = await environment.StartClientAsync();
        var grains = client.Services.GetRequiredService<IGrainFactory>();
        const int Callers = 16;
        const int CallsPerCaller = 100;

        var counts = await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var grain = grains.GetGrain<ILedgerGrain>($"load-{caller}");
            var count = 0L;
            for (var i = 0; i < CallsPerCaller; i++)
            {
                count = await grain.AddAsync($"entry-{i}");
            }

            return count;
        })));

        Assert.All(counts, count => Assert.Equal(CallsPerCaller, count));
    }

    [Fact]
    public async Task A_silo_with_the_previous_secret_configured_accepts_requests_signed_with_it()
    {
        const string NewSecret = "rotated-cluster-secret-0123456789";
        await using var rotated = await StartAloneAsync($"--Cluster:Secret={NewSecret}", $"--Cluster:PreviousSecret={ClusterEnvironment.Secret}");
        using var http = H2cClient();

        // Mid-rotation, silos still signing with the old secret and silos signing with the new one are both served.
        foreach (var signer in new[] { Signer(), new RequestSigner(NewSecret, TimeSpan.FromMinutes(5)) })
        {
            using var response = await http.SendAsync(Signed(rotated.SiloPort, CallBody("rotation"), signer));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"result\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_silo_without_a_previous_secret_refuses_requests_signed_with_it()
    {
        await using var rotated = await StartAloneAsync("--Cluster:Secret=rotated-cluster-secret-0123456789");
        using var http = H2cClient();

        using var response = await http.SendAsync(Signed(rotated.SiloPort, CallBody("rotation-dropped"), Signer()));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_signed_request_is_served_by_either_silo_whichever_owns_the_grain()
    {
        using var http = H2cClient();
        foreach (var silo in new[] { A, B })
        {
            using var response = await http.SendAsync(Signed(silo.SiloPort, CallBody($"signed-{silo.SiloPort}"), Signer()));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new Version(2, 0), response.Version);
            Assert.Contains("\"result\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_call_landing_on_a_non_owner_is_forwarded_to_the_owner()
    {
        using var http = H2cClient();
        var body = Encoding.UTF8.GetBytes("""{"type":"ledger","key":"forwarded","method":"WhereAsync()","hops":0,"args":[]}""");
        var answers = new List<string>();
        foreach (var silo in new[] { A, B })
        {
            using var response = await http.SendAsync(Signed(silo.SiloPort, body, Signer()));
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        // Both silos answer with the same owner's id: one of them ran the call, the other forwarded it there.
        Assert.Equal(answers[0], answers[1]);
        Assert.Contains(A.Membership.View.Owner(new GrainId("ledger", "forwarded"))!.SiloId, answers[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forwarded_call_is_not_forwarded_again()
    {
        using var http = H2cClient();
        var owner = A.Membership.View.Owner(new GrainId("ledger", "hopped"))!;
        var nonOwner = owner.SiloId == A.Membership.LocalSiloId ? B : A;
        var body = Encoding.UTF8.GetBytes("""{"type":"ledger","key":"hopped","method":"WhereAsync()","hops":1,"args":[]}""");
        using var response = await http.SendAsync(Signed(nonOwner.SiloPort, body, Signer()));
        Assert.Contains("\"failure\":\"NotOwner\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_public_port_does_not_serve_silo_calls()
    {
        using var http = new HttpClient();
        using var response = await http.SendAsync(Signed(A.HttpPort, CallBody("public"), Signer(), HttpVersion.Version11));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_pure_gateway_reaches_every_grain_on_its_owner()
    {
        using var client = await environment.StartClientAsync();
        var grains = client.Services.GetRequiredService<IGrainFactory>();
        var owners = new HashSet<string>();
        for (var index = 0; index < 40; index++)
        {
            var grain = grains.GetGrain<ILedgerGrain>($"routed-{index}");
            Assert.Equal(1, await grain.AddAsync("one"));
            owners.Add(await grain.WhereAsync());
        }

        Assert.Equal(2, owners.Count); // both silos own some of 40 grains
    }

    [Fact]
    public async Task The_callers_trace_context_reaches_the_remote_grain()
    {
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var client = await environment.StartClientAsync();
        var grain = client.Services.GetRequiredService<IGrainFactory>().GetGrain<ILedgerGrain>("traced");

        using var caller = new System.Diagnostics.Activity("test-caller").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start();
        Assert.Equal(caller.TraceId.ToHexString(), await grain.TraceIdAsync());
    }

    [Fact]
    public async Task Exceptions_cross_the_silo_port_with_their_type_and_message()
    {
        using var client = await environment.StartClientAsync();
        var grain = client.Services.GetRequiredService<IGrainFactory>().GetGrain<ILedgerGrain>("thrower");

        var argument = await Assert.ThrowsAsync<ArgumentException>(() => grain.ThrowAsync("argument", "bad argument"));
        Assert.Equal("bad argument", argument.Message);
        var rule = await Assert.ThrowsAsync<LedgerRuleException>(() => grain.ThrowAsync("rule", "rule broken"));
        Assert.Equal("rule broken", rule.Message);

        // The activation lives on after its grain code threw.
        Assert.Equal(1, await grain.AddAsync("after"));
    }

    /// <summary>A silo in a cluster of its own, so its different secret does not disturb A and B.</summary>
    private async Task<InProcessSilo> StartAloneAsync(params string[] settings)
    {
        var silo = await InProcessSilo.StartAsync(environment, [$"--Cluster:ClusterId=alone-{Guid.NewGuid():N}", .. settings]);
        await Eventually.TrueAsync(() => silo.Membership.IsServing, because: "the silo is active");
        return silo;
    }

    private static byte[] CallBody(string key) =>
        Encoding.UTF8.GetBytes($$"""{"type":"ledger","key":"{{key}}","method":"AddAsync(System.String)","hops":0,"args":["x"]}""");

    private static RequestSigner Signer() => new(ClusterEnvironment.Secret, TimeSpan.FromMinutes(5));

    private static HttpRequestMessage Request(int port, byte[] body, Version? version = null) =>
        new(HttpMethod.Post, new Uri($"http://127.0.0.1:{port}{CallPath}"))
        {
            Content = new ByteArrayContent(body),
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

    private static HttpRequestMessage Signed(int port, byte[] body, RequestSigner signer, Version? version = null)
    {
        var request = Request(port, body, version);
        var (timestamp, nonce, signature) = signer.Sign("POST", CallPath, body);
        request.Headers.Add(RequestSigner.TimestampHeader, timestamp);
        request.Headers.Add(RequestSigner.NonceHeader, nonce);
        request.Headers.Add(RequestSigner.SignatureHeader, signature);
        return request;
    }

    private static HttpRequestMessage MetricsRequest(int port) =>
        new(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}{MetricsPath}"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

    private static HttpClient H2cClient() => new();

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
