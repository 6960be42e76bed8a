using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using UserData.Cluster.Tests.Support;
using UserData.TestSupport;
using UserData.TestSupport.Tls;
using Xunit.Abstractions;

namespace UserData.Cluster.Tests;

/// <summary>
/// Mutual TLS admits only processes with a certificate from the cluster's CA: a silo or a pure gateway with a certificate
/// from another CA can neither join nor connect, a TLS client without a certificate is refused on the silo and gateway
/// ports, and meanwhile the cluster keeps serving.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TlsAdmissionTests(ClusterFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    // How long the outsider keeps trying to join (or to connect) before it gives up and exits.
    private static readonly IReadOnlyDictionary<string, string> ShortJoin = new Dictionary<string, string>
    {
        ["Cluster__Membership__MaxJoinAttemptTime"] = "00:00:15",
    };

    // What Orleans' TLS middleware logs when a handshake fails.
    private const string AuthenticationFailed = "\"Message\":\"Authentication failed\"";

    private TestCertificateAuthority? _otherAuthority;

    private LocalCluster Cluster => fixture.Cluster;

    public async Task InitializeAsync()
    {
        await fixture.EnsureSilosAsync();
        _otherAuthority = TestCertificateAuthority.Create("other-ca", Cluster.Folder);
    }

    public Task DisposeAsync()
    {
        _otherAuthority?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_silo_with_a_certificate_from_another_CA_never_becomes_Active_and_the_cluster_keeps_serving()
    {
        var settings = Cluster.MemberSettings(_otherAuthority!.Issue(Cluster.NextName("outsider-silo")));
        foreach (var (key, value) in ShortJoin)
        {
            settings[key] = value;
        }

        var siloPrefix = $"S127.0.0.1:{settings["Cluster__SiloPort"]}:";
        await using var outsider = HostProcess.Launch("UserData.Silo.dll", settings);
        var listedActive = false;
        await Eventually.TrueAsync(
            async () =>
            {
                listedActive |= (await Cluster.ActiveSilosAsync()).Any(address => address.StartsWith(siloPrefix, StringComparison.Ordinal));
                await AssertClusterServesAsync();
                return outsider.HasExited;
            },
            Deadline,
            "the outsider silo stops: it gives up joining, or the cluster, unable to reach it, declares it dead");
        output.WriteLine(outsider.Output);

        Assert.False(listedActive, "the outsider silo was listed Active");
        Assert.NotEqual(0, outsider.ExitCode);
        Assert.Contains(AuthenticationFailed, outsider.Output, StringComparison.Ordinal);
        Assert.Equal(ClusterFixture.SiloCount, (await Cluster.ActiveSilosAsync()).Count);
    }

    [Fact]
    public async Task A_gateway_with_a_certificate_from_another_CA_never_connects_and_the_cluster_keeps_serving()
    {
        var settings = Cluster.MemberSettings(_otherAuthority!.Issue(Cluster.NextName("outsider-gateway"))).AsGateway(LocalCluster.AdminEmail);
        settings["Gateway__CoHostSilo"] = "false";
        await using var outsider = HostProcess.Launch("UserData.Gateway.dll", settings);
        using var http = new HttpClient { BaseAddress = outsider.Address, Timeout = TimeSpan.FromSeconds(10) };
        var ready = false;

        // Orleans' client keeps trying the silos' gateway ports; each try is refused in the TLS handshake.
        await Eventually.TrueAsync(
            async () =>
            {
                ready |= await IsReadyAsync(http);
                await AssertClusterServesAsync();
                return outsider.HasExited || outsider.Output.Contains(AuthenticationFailed, StringComparison.Ordinal);
            },
            Deadline,
            "the outsider gateway's TLS handshake is refused");
        ready |= await IsReadyAsync(http);
        output.WriteLine(outsider.Output);

        Assert.False(ready, "the outsider gateway answered /health/ready 200");
        Assert.Contains(AuthenticationFailed, outsider.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_TLS_client_without_a_certificate_is_refused_on_the_silo_and_gateway_ports_and_one_with_the_CAs_is_not()
    {
        var silo = Cluster.Silos[0];
        var files = Cluster.Authority.Issue(Cluster.NextName("probe"));
        using var member = X509Certificate2.CreateFromPemFile(files.CertificatePath, files.KeyPath);
        foreach (var port in new[] { silo.SiloPort, silo.GatewayPort })
        {
            var refused = await HandshakeAsync(port, certificate: null);
            output.WriteLine($"port {port} without a certificate: {refused}");
            Assert.NotNull(refused);

            // The same client with the CA's certificate is let in: the server waits for the Orleans preamble.
            Assert.Null(await HandshakeAsync(port, member));
        }

        await AssertClusterServesAsync();
    }

    /// <summary>
    /// A TLS handshake with the process listening on <paramref name="port"/> as a client presenting
    /// <paramref name="certificate"/>, then a read of 2 s: how the server refused the client (the handshake's error, or
    /// the connection closed), or null when it kept the connection open.
    /// </summary>
    private static async Task<string?> HandshakeAsync(int port, X509Certificate2? certificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream());
        try
        {
            using var handshakeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    ClientCertificates = certificate is null ? null : [certificate],
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                },
                handshakeTimeout.Token);

            // Under TLS 1.3 a server refuses the client's certificate after the client's side of the handshake is done.
            using var readTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var read = await tls.ReadAsync(new byte[1], readTimeout.Token);
            return read == 0 ? "connection closed after the handshake" : null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException)
        {
            return $"{exception.GetType().Name}: {exception.Message}";
        }
    }

    private static async Task<bool> IsReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>A user of the cluster writes through the gateway.</summary>
    private async Task AssertClusterServesAsync()
    {
        await using var load = new WriteLoad(Cluster.Http, [fixture.Users[0]], $"tls-{Guid.NewGuid():N}");
        var written = await load.ProbeAsync(load.Now, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(TimeSpan.MaxValue, written.Values);
        Assert.Empty(load.Failures);
    }
}
