using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

using UserData.TestSupport;

namespace UserData.Cluster.Tests.Support;

/// <summary>A silo in a process of its own (this assembly's <see cref="Program"/>), killed with the test process.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private SiloProcess(Process process, int httpPort, int siloPort)
    {
        _process = process;
        HttpPort = httpPort;
        SiloPort = siloPort;
    }

    public int HttpPort { get; }

    public int SiloPort { get; }

    /// <summary>The id it joins with is <c>127.0.0.1:{SiloPort}@...</c>.</summary>
    public string AddressPrefix => $"127.0.0.1:{SiloPort.ToString(CultureInfo.InvariantCulture)}@";

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output => string.Join('\n', _output);

    public static async Task<SiloProcess> StartAsync(ClusterEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var httpPort = LoopbackPort.Next();
        var siloPort = LoopbackPort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["AWS_ACCESS_KEY_ID"] = "test", ["AWS_SECRET_ACCESS_KEY"] = "test" },
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "UserData.Cluster.Tests.dll"));
        start.ArgumentList.Add("silo");
        foreach (var argument in environment.SiloArguments(httpPort, siloPort))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The silo process did not start.");
        var silo = new SiloProcess(process, httpPort, siloPort);
        process.OutputDataReceived += (_, line) => silo._output.Enqueue(line.Data ?? "");
        process.ErrorDataReceived += (_, line) => silo._output.Enqueue(line.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => silo.Kill();
        await silo.WaitReadyAsync();
        return silo;
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

    /// <summary>SIGTERM, as ECS stops a task: the silo shuts down gracefully.</summary>
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

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The silo process exited at start:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/health/ready"));
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
        throw new TimeoutException($"The silo was not ready within {StartTimeout}:\n{Output}");
    }
}
