using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Support;

/// <summary>The gateway as a child process (<c>dotnet UserData.Gateway.dll</c>), so that a test can SIGKILL it.</summary>
public sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    public static async Task<GatewayProcess> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var address = new Uri($"http://127.0.0.1:{LoopbackPort.Next()}");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "UserData.Gateway.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address.ToString().TrimEnd('/'));
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The gateway process did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var gateway = new GatewayProcess(process, address);
        await Eventually.TrueAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The gateway process exited with {process.ExitCode}.");
            }

            try
            {
                using var ready = await gateway.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                return ready.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the gateway process answers /health/ready");
        return gateway;
    }

    /// <summary>SIGKILL: no shutdown, no snapshot, no flush.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public void Dispose()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
