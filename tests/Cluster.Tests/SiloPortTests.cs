using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using UserData.Cluster.Tests.Grains;
using UserData.Cluster.Tests.Support;
using UserData.Runtime.Cluster.Transport;
using UserData.Runtime.Grains;
using UserData.TestSupport;

namespace UserData.Cluster.Tests;

/// <summary>The silo port: only signed requests are served; calls are forwarded to owners; exceptions cross with type and message.</summary>
public sealed class SiloPortTests(ClusterEnvironment environment) : IClassFixture<ClusterEnvironment>, IAsyncLifetime
{
    private const string CallPath = "/cluster/v1/call";
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
        var (timestamp, signature) = signer.Sign("POST", CallPath, body);
        request.Headers.Add(RequestSigner.TimestampHeader, timestamp);
        request.Headers.Add(RequestSigner.SignatureHeader, signature);
        return request;
    }

    private static HttpClient H2cClient() => new();

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
