using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

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

    // Runs node in the background and kills it when the test process's end of stdin closes (also when that process is killed).
    private const string ExitWithParentScript = "\"$@\" </dev/null & child=$!; cat >/dev/null; kill $child 2>/dev/null; wait $child";

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

    private readonly Process _process;
    private readonly string _folder;
    private readonly EventHandler _onProcessExit;

    private S3rver(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        ServiceUrl = $"http://127.0.0.1:{port}";
        _onProcessExit = (_, _) => Kill(process);
        AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
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
        var output = new OutputLog();
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestTools.Folder,
        };
        foreach (var argument in new[] { "-c", ExitWithParentScript, "sh", node, "-e", StartScript, folder, port.ToString(CultureInfo.InvariantCulture), Bucket })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => output.Add(line.Data);
        process.ErrorDataReceived += (_, line) => output.Add(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (!await AcceptsConnectionAsync(port, cancellationToken).ConfigureAwait(false))
        {
            if (process.HasExited || clock.Elapsed > StartTimeout)
            {
                Kill(process);
                throw new InvalidOperationException($"s3rver did not listen on 127.0.0.1:{port}; its output:\n{output}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        return new S3rver(process, folder, port);
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        Kill(_process);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task<bool> AcceptsConnectionAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
