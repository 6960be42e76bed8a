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

    private static string ToolsFolder => Path.Combine(RepositoryRoot.Path, "tests", "tools");

    private static string CliPath => Path.Combine(ToolsFolder, "node_modules", "dynalite", "cli.js");

    // Written once `npm ci` has finished: a package's files appear while npm is still installing its dependencies.
    private static string InstalledMarker => Path.Combine(ToolsFolder, "node_modules", ".installed-by-tests");

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
        var node = FindOnPath("node") ?? throw NodeJsRequired("node");
        await EnsureToolsInstalledAsync(cancellationToken).ConfigureAwait(false);

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
            WorkingDirectory = ToolsFolder,
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

    /// <summary>
    /// Runs <c>npm ci</c> in tests/tools (dynalite, playwright-core) unless a finished install of the current lockfile is
    /// there, one process at a time across test assemblies.
    /// </summary>
    public static async Task EnsureToolsInstalledAsync(CancellationToken cancellationToken = default)
    {
        var lockfile = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(ToolsFolder, "package-lock.json"), cancellationToken).ConfigureAwait(false)));
        if (IsInstalled(lockfile))
        {
            return;
        }

        var npm = FindOnPath("npm") ?? throw NodeJsRequired("npm");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InstallTimeout);
        await using var installLock = await AcquireInstallLockAsync(timeout.Token).ConfigureAwait(false);
        if (IsInstalled(lockfile))
        {
            return;
        }

        var output = new OutputLog();
        using var process = StartProcess(npm, ["ci", "--no-audit", "--no-fund"], output);
        process.StandardInput.Close();
        try
        {
            // Also waits for the output readers to drain, so the error message below is complete.
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new InvalidOperationException($"`npm ci` in {ToolsFolder} did not finish within {InstallTimeout}; its output:\n{output}", exception);
        }

        if (process.ExitCode != 0 || !File.Exists(CliPath))
        {
            throw new InvalidOperationException(
                $"`npm ci` in {ToolsFolder} failed (exit code {process.ExitCode}) to install dynalite; its output:\n{output}");
        }

        await File.WriteAllTextAsync(InstalledMarker, lockfile, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsInstalled(string lockfile) =>
        File.Exists(InstalledMarker) && File.ReadAllText(InstalledMarker) == lockfile;

    /// <summary>An exclusive lock on a file named after the tools folder, so checkouts do not wait for each other.</summary>
    private static async Task<FileStream> AcquireInstallLockAsync(CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ToolsFolder)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"userdata-npm-ci-{hash}.lock");
        while (true)
        {
            try
            {
                // Not deleted on close: a waiter could lock the deleted file while another creates a new one.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException exception)
                {
                    throw new TimeoutException($"Another test process held {path} (installing dynalite) for longer than {InstallTimeout}.", exception);
                }
            }
        }
    }

    private static InvalidOperationException NodeJsRequired(string command) => new(
        $"The DynamoDB tests need Node.js: they run dynalite, a local DynamoDB-compatible server, and `{command}` is not on PATH. " +
        "Install Node.js 20 or later with npm (https://nodejs.org/en/download, or e.g. `sudo apt-get install nodejs npm`), " +
        "make sure `node` and `npm` are on PATH, and run the tests again; they install dynalite themselves (`npm ci` in tests/tools).");

    private static string? FindOnPath(string command)
    {
        var extensions = OperatingSystem.IsWindows()
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries)
            : [string.Empty];
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return folders
            .SelectMany(folder => extensions.Select(extension => Path.Combine(folder, command + extension)))
            .FirstOrDefault(File.Exists);
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

    /// <summary>A process's output lines, kept for error messages.</summary>
    private sealed class OutputLog
    {
        private readonly StringBuilder _text = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_text)
            {
                _text.AppendLine(line);
            }
        }

        public bool Contains(string value)
        {
            lock (_text)
            {
                return _text.ToString().Contains(value, StringComparison.Ordinal);
            }
        }

        public override string ToString()
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }
}
