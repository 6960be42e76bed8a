using System.Globalization;

namespace UserData.TestSupport;

/// <summary>
/// s3rver (the npm package pinned in tests/tools), an S3-compatible server keeping its objects in a temporary folder, on
/// a free loopback port. <see cref="Shared"/> is one server per test process; tests keep out of each other's way with a
/// bucket of their own, which the server creates at start (<see cref="Bucket"/>) or the test under a prefix of its own.
/// The server dies with the test process, even one killed outright.
/// </summary>
public sealed class S3rver : IAsyncDisposable
{
    /// <summary>The bucket the server starts with.</summary>
    public const string Bucket = "userdata-tests";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<S3rver>> SharedServer = new(() => StartAsync());

    // s3rver takes only its own access key (S3RVER); the services' clients sign with the fixed local credentials they fall
    // back to without a credential chain ("local", as for DynamoDB Local), or with HostProcess's ("test"): both are added.
    private const string StartScript = """
        const S3rver = require('s3rver');
        const account = require('s3rver/lib/models/account').DUMMY_ACCOUNT;
        account.createKeyPair('local', 'local');
        account.createKeyPair('test', 'test');
        const [directory, port, bucket] = process.argv.slice(1);
        new S3rver({ directory, address: '127.0.0.1', port: Number(port), silent: true, configureBuckets: [{ name: bucket }] }).run();
        """;

    private readonly ServerProcess _server;
    private readonly string _folder;

    private S3rver(ServerProcess server, string folder, int port)
    {
        _server = server;
        _folder = folder;
        ServiceUrl = $"http://127.0.0.1:{port}";
    }

    public static Task<S3rver> Shared => SharedServer.Value;

    /// <summary>The endpoint to give the S3 client (path-style), e.g. <c>http://127.0.0.1:49152</c>.</summary>
    public string ServiceUrl { get; }

    /// <summary>A key prefix no other test uses, e.g. <c>t3f9a1c2e/</c>.</summary>
    public static string NewPrefix() => $"t{Guid.NewGuid():N}"[..9] + "/";

    public static async Task<S3rver> StartAsync(CancellationToken cancellationToken = default)
    {
        await TestTools.EnsureNpmPackagesAsync(cancellationToken).ConfigureAwait(false);
        var node = TestTools.FindOnPath("node") ?? throw new InvalidOperationException("s3rver needs Node.js (`node` on PATH).");
        var folder = Directory.CreateTempSubdirectory("userdata-s3rver-").FullName;
        var port = LoopbackPort.Next();
        var server = ServerProcess.Start(TestTools.Folder, node, "-e", StartScript, folder, port.ToString(CultureInfo.InvariantCulture), Bucket);
        try
        {
            if (await server.WaitUntilListeningAsync("s3rver", port, _ => true, StartTimeout, cancellationToken).ConfigureAwait(false))
            {
                return new S3rver(server, folder, port);
            }
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await server.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"s3rver exited before listening on 127.0.0.1:{port}; its output:\n{server.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(_folder, recursive: true);
    }
}
