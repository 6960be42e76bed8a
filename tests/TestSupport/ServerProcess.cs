using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace UserData.TestSupport;

/// <summary>
/// A server the tests start as a child process (DynamoDB Local, s3rver): its output kept for waiting and for error
/// messages, and killed with the test process, even one killed outright.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    // Runs the command in the background and kills it when the test process's end of stdin closes (also when that process is killed).
    private const string ExitWithParentScript = "\"$@\" </dev/null & child=$!; cat >/dev/null; kill $child 2>/dev/null; wait $child";

    private readonly Process _process;
    private readonly EventHandler _onProcessExit;

    private ServerProcess(Process process)
    {
        _process = process;
        _onProcessExit = (_, _) => Kill();
        AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
    }

    public OutputLog Output { get; } = new();

    public static ServerProcess Start(string workingDirectory, params string[] command)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in new[] { "-c", ExitWithParentScript, "sh" }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        var server = new ServerProcess(new Process { StartInfo = start });
        server._process.OutputDataReceived += (_, line) => server.Output.Add(line.Data);
        server._process.ErrorDataReceived += (_, line) => server.Output.Add(line.Data);
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
    }

    /// <summary>
    /// True once <paramref name="ready"/> holds for the output and the port accepts a connection; false if the server exited
    /// first (e.g. another process took the port).
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither happened within <paramref name="timeout"/>.</exception>
    public async Task<bool> WaitUntilListeningAsync(string name, int port, Func<OutputLog, bool> ready, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                return false;
            }

            if (ready(Output) && await AcceptsConnectionAsync(port, cancellationToken).ConfigureAwait(false))
            {
                return !_process.HasExited;
            }

            if (clock.Elapsed > timeout)
            {
                throw new InvalidOperationException($"{name} did not listen on 127.0.0.1:{port} within {timeout}; its output:\n{Output}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        Kill();
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
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

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
