using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace UserData.TestSupport;

/// <summary>
/// <c>dotnet UserData.Silo.dll</c> or <c>dotnet UserData.Gateway.dll</c> from the test's output folder (the test
/// project references the program's project), as a process of its own. Its output is kept; it can be stopped with
/// the signals ECS sends (SIGTERM, SIGKILL); and it dies with the test process, even one killed outright.
/// </summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(90);

    // Runs the program in the background under a shell that reports the program's pid, kills it with SIGKILL when the
    // test process's end of stdin closes (also when that process is killed), and exits with the program's status.
    // A background job's stdin is /dev/null, so the watcher reads the test's pipe through fd 3.
    private const string ExitWithParentScript =
        "exec 3<&0; \"$@\" </dev/null 3<&- & child=$!; echo \"" + PidMarker + "$child\"; " +
        "{ cat <&3 >/dev/null; kill -KILL $child 2>/dev/null; } & watcher=$!; exec 3<&-; " +
        "wait $child; status=$?; kill $watcher 2>/dev/null; exit $status";

    private const string PidMarker = "host-process-pid ";

    private readonly Process _shell;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<int> _pid = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _name;

    private HostProcess(Process shell, Uri address, string name)
    {
        _shell = shell;
        Address = address;
        _name = name;
    }

    /// <summary>Where its HTTP endpoints answer (<c>--urls</c>).</summary>
    public Uri Address { get; }

    /// <summary>Everything it wrote to stdout and stderr so far.</summary>
    public string Output => string.Join('\n', _output);

    public bool HasExited => _shell.HasExited;

    /// <summary>The program's exit status (128 + the signal when a signal ended it); valid once <see cref="HasExited"/>.</summary>
    public int ExitCode => _shell.ExitCode;

    /// <summary>Starts <paramref name="assembly"/> and waits until its <c>/health/ready</c> answers 200.</summary>
    /// <param name="environment">Settings as environment variables (<c>Cluster__SiloPort</c>, ...).</param>
    /// <param name="workingDirectory">Null: the test's output folder.</param>
    public static async Task<HostProcess> StartAsync(
        string assembly, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null, IEnumerable<string>? arguments = null)
    {
        var host = Launch(assembly, environment, workingDirectory, arguments);
        try
        {
            await host.WaitUntilReadyAsync(ReadyDeadline).ConfigureAwait(false);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return host;
    }

    /// <summary>Starts <paramref name="assembly"/> without waiting for anything (for a process expected to fail).</summary>
    public static HostProcess Launch(
        string assembly, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null, IEnumerable<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var path = Path.Combine(AppContext.BaseDirectory, assembly);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{assembly} is not next to the test assembly; the test project must reference its project.", path);
        }

        var address = new Uri($"http://127.0.0.1:{LoopbackPort.Next().ToString(CultureInfo.InvariantCulture)}");
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,

            // Credentials for the SDK's default chain, so that no process probes for an instance role.
            Environment = { ["AWS_ACCESS_KEY_ID"] = "test", ["AWS_SECRET_ACCESS_KEY"] = "test" },
        };
        // The watcher shell drops environment names that are not shell identifiers (Logging__LogLevel__UserData.Lake):
        // those settings go on the command line instead.
        var settingArguments = new List<string>();
        foreach (var (key, value) in environment)
        {
            if (ShellName().IsMatch(key))
            {
                start.Environment[key] = value;
            }
            else
            {
                settingArguments.Add($"--{key.Replace("__", ":", StringComparison.Ordinal)}={value}");
            }
        }

        foreach (var argument in (string[])["-c", ExitWithParentScript, "sh", "dotnet", path, "--urls", address.ToString().TrimEnd('/'), .. settingArguments, .. arguments ?? []])
        {
            start.ArgumentList.Add(argument);
        }

        var shell = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new HostProcess(shell, address, Path.GetFileNameWithoutExtension(assembly));
        shell.OutputDataReceived += (_, line) => host.OnOutput(line.Data);
        shell.ErrorDataReceived += (_, line) => host.OnOutput(line.Data);

        // Once the program has exited, the watcher has nothing left to kill: let it go.
        shell.Exited += (_, _) => host.CloseWatcher();
        shell.Start();
        shell.BeginOutputReadLine();
        shell.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200; fails with the output if the process exits first.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan deadline)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"{_name} exited with {ExitCode}:\n{Output}");
            }

            try
            {
                using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative)).ConfigureAwait(false);
                return ready.StatusCode == HttpStatusCode.OK;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, deadline, $"{_name} at {Address} answers /health/ready").ConfigureAwait(false);
    }

    /// <summary>SIGTERM, as ECS stops a task: the program shuts down gracefully.</summary>
    public Task TerminateAsync() => SignalAsync("TERM");

    /// <summary>SIGKILL: no shutdown hook runs.</summary>
    public Task KillAsync() => SignalAsync("KILL");

    /// <summary>Waits for the program to exit and returns its exit status.</summary>
    /// <exception cref="TimeoutException">Still running after <paramref name="timeout"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _shell.WaitForExitAsync(cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception)
        {
            throw new TimeoutException($"{_name} at {Address} did not exit within {timeout.TotalSeconds:0.#} s:\n{Output}", exception);
        }

        return _shell.ExitCode;
    }

    /// <summary>Kills the program (SIGKILL, through its watcher) unless it has exited, and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        CloseWatcher();
        await _shell.WaitForExitAsync().ConfigureAwait(false);
        _shell.Dispose();
    }

    public override string ToString() => $"{_name} at {Address}";

    private async Task SignalAsync(string signal)
    {
        var pid = await _pid.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (HasExited)
        {
            return;
        }

        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])
            ?? throw new InvalidOperationException("kill did not start.");
        await kill.WaitForExitAsync().ConfigureAwait(false);
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (!_pid.Task.IsCompleted && line.StartsWith(PidMarker, StringComparison.Ordinal))
        {
            _pid.TrySetResult(int.Parse(line.AsSpan(PidMarker.Length), CultureInfo.InvariantCulture));
            return;
        }

        _output.Enqueue(line);
    }

    private void CloseWatcher()
    {
        try
        {
            _shell.StandardInput.Close();
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or ObjectDisposedException)
        {
            // Already closed.
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ShellName();
}
