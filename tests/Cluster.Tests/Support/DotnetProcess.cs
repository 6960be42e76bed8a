using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace UserData.Cluster.Tests.Support;

/// <summary>
/// One of the product's programs (<c>dotnet UserData.Silo.dll</c>, <c>dotnet UserData.Gateway.dll</c>) in a process of
/// its own, listening on a loopback HTTP port; its output is kept, and it is killed with the test process.
/// </summary>
public sealed class DotnetProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private DotnetProcess(Process process, int httpPort)
    {
        _process = process;
        HttpPort = httpPort;
    }

    public int HttpPort { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}");

    public int ExitCode => _process.ExitCode;

    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts <paramref name="assembly"/>, which the project references copy next to this test assembly (with its
    /// runtimeconfig and deps files), and waits until its <c>/health/ready</c> answers 200.
    /// </summary>
    public static async Task<DotnetProcess> StartAsync(string assembly, int httpPort, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var path = Path.Combine(AppContext.BaseDirectory, assembly);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{assembly} is not next to the test assembly; the test project must reference its project.", path);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,

            // Credentials for the SDK's default chain, so that no process probes for an instance role.
            Environment = { ["AWS_ACCESS_KEY_ID"] = "test", ["AWS_SECRET_ACCESS_KEY"] = "test" },
        };
        start.ArgumentList.Add(path);
        foreach (var argument in arguments.Append($"--urls=http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}"))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{assembly} did not start.");
        var started = new DotnetProcess(process, httpPort);
        process.OutputDataReceived += (_, line) => started._output.Enqueue(line.Data ?? "");
        process.ErrorDataReceived += (_, line) => started._output.Enqueue(line.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => started.Kill();
        await started.WaitReadyAsync(assembly);
        return started;
    }

    /// <summary>SIGKILL: no shutdown hook runs.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>SIGTERM, as ECS stops a task: the program shuts down gracefully.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])
            ?? throw new InvalidOperationException("kill did not start.");
        await kill.WaitForExitAsync();
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private async Task WaitReadyAsync(string assembly)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{assembly} exited at start:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "/health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        Kill();
        throw new TimeoutException($"{assembly} was not ready within {StartTimeout}:\n{Output}");
    }
}
