using System.Diagnostics;
using UserData.TestSupport;

namespace UserData.Browser.Tests;

/// <summary>
/// What the browser tests need: Debian's chromium (installed with <c>apt-get</c> when missing; the tests run as root)
/// and playwright-core from tests/tools, and a way to run node on a script with a deadline.
/// </summary>
internal static class BrowserTools
{
    /// <summary>Installs what is missing; returns chromium's path.</summary>
    public static async Task<string> EnsureInstalledAsync()
    {
        var chromium = await TestTools.EnsureDebianCommandAsync("chromium", "chromium", "The dashboard browser test");
        await TestTools.EnsureNpmPackagesAsync();
        return chromium;
    }

    /// <summary>Runs a command to completion within <paramref name="deadline"/>; returns its output, throws with it on failure.</summary>
    public static async Task<string> RunAsync(
        string command, IEnumerable<string> arguments, TimeSpan deadline, string workingDirectory, string what, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new OutputLog();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => output.Add(line.Data);
        process.ErrorDataReceived += (_, line) => output.Add(line.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"{what}: `{command}` could not be started ({exception.Message}); is it installed and on PATH?", exception);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException exception)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what}: `{command}` did not finish within {deadline}; its output:\n{output}", exception);
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what}: `{command} {string.Join(' ', start.ArgumentList)}` exited with {process.ExitCode}; its output:\n{output}");
        }

        return output.ToString();
    }
}
