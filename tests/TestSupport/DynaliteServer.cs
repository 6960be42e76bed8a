using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace UserData.TestSupport;

/// <summary>
/// dynalite (a DynamoDB-compatible server on Node.js, pinned in tests/tools) running in memory on a free loopback
/// port. Installs it with <c>npm ci</c> on first use. The process is killed on dispose, when the test process exits,
/// and, should the test process be killed outright, by itself when its standard input closes.
/// </summary>
public sealed class DynaliteServer : IAsyncDisposable
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private const int StartAttempts = 3;

    // Runs cli.js (argv[1]) with the arguments after it, and exits when the test process's end of stdin closes.
    private const string ExitWithParentScript =
        "process.stdin.on('end', () => process.exit(0)); process.stdin.resume(); require(process.argv[1]);";

    private static string CliPath => Path.Combine(TestTools.NodeModules, "dynalite", "cli.js");

    private readonly Process _process;
    private readonly EventHandler _onProcessExit;

    private DynaliteServer(Process process, int port)
    {
        _process = process;
        ServiceUrl = $"http://127.0.0.1:{port}";
        _onProcessExit = (_, _) => Kill(process);
        AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
    }

    /// <summary>The endpoint to give the DynamoDB client, e.g. <c>http://127.0.0.1:49152</c>.</summary>
    public string ServiceUrl { get; }

    /// <summary>Starts a fresh, empty dynalite, installing it first if tests/tools/node_modules lacks it.</summary>
    /// <exception cref="InvalidOperationException">Node.js is missing, <c>npm ci</c> failed, or dynalite would not start.</exception>
    public static async Task<DynaliteServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var node = TestTools.FindOnPath("node") ?? throw NodeJsRequired("node");
        await TestTools.EnsureNpmPackagesAsync(cancellationToken).ConfigureAwait(false);

        for (var attempt = 1; ; attempt++)
        {
            // Another process can take the port between our probe and dynalite's bind: then dynalite exits and we retry.
            var port = LoopbackPort.Next();
            var output = new OutputLog();
            var process = StartProcess(
                node, ["-e", ExitWithParentScript, CliPath, "--port", port.ToString(CultureInfo.InvariantCulture), "--host", "127.0.0.1"], output);
            try
            {
                if (await WaitUntilListeningAsync(process, port, output, cancellationToken).ConfigureAwait(false))
                {
                    return new DynaliteServer(process, port);
                }
            }
            catch
            {
                Kill(process);
                process.Dispose();
                throw;
            }

            process.Dispose();
            if (attempt == StartAttempts)
            {
                throw new InvalidOperationException($"dynalite exited at start {StartAttempts} times; its last output:\n{output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        Kill(_process);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static Process StartProcess(string fileName, IEnumerable<string> arguments, OutputLog output)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestTools.Folder,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => output.Add(line.Data);
        process.ErrorDataReceived += (_, line) => output.Add(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>True once dynalite says it listens and the port accepts a connection; false if it exited first.</summary>
    private static async Task<bool> WaitUntilListeningAsync(Process process, int port, OutputLog output, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                return false;
            }

            // The "listening" line proves that dynalite itself, not another process, holds the port.
            if (output.Contains("Dynalite listening") && await AcceptsConnectionAsync(port, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"dynalite did not listen on 127.0.0.1:{port} within {StartTimeout}; its output:\n{output}");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
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

    private static InvalidOperationException NodeJsRequired(string command) => new(
        $"The DynamoDB tests need Node.js: `{command}` is not on PATH. Install Node.js 20 or later with npm and run the tests again.");

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
