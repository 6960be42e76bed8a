using System.Diagnostics;
using System.Text;
using UserData.TestSupport;

namespace UserData.Browser.Tests;

/// <summary>
/// Installs what the browser tests need when it is missing: Debian's chromium (<c>apt-get</c>; the tests run as
/// root) and playwright-core (<c>npm ci</c> in tests/tools, pinned by its lockfile, through the dynalite fixture's install). Each step has a deadline and
/// fails with the command's output.
/// </summary>
internal static class BrowserTools
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly TimeSpan AptDeadline = TimeSpan.FromMinutes(10);
    private static readonly SemaphoreSlim Installing = new(1, 1);

    public static string ToolsFolder { get; } = Path.Combine(RepositoryRoot.Path, "tests", "tools");

    public static async Task EnsureInstalledAsync()
    {
        await Installing.WaitAsync();
        try
        {
            if (!File.Exists(ChromiumPath))
            {
                await RunAsync("apt-get", ["update"], AptDeadline, "/", "installing chromium (apt-get update)");
                await RunAsync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], AptDeadline, "/", "installing chromium");
                if (!File.Exists(ChromiumPath))
                {
                    throw new InvalidOperationException($"`apt-get install chromium` succeeded but {ChromiumPath} is still missing.");
                }
            }

            await TestTools.EnsureNpmPackagesAsync();
        }
        finally
        {
            Installing.Release();
        }
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

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(output, line.Data);
        process.ErrorDataReceived += (_, line) => Append(output, line.Data);
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
            throw new TimeoutException($"{what}: `{command}` did not finish within {deadline}; its output:\n{Text(output)}", exception);
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what}: `{command} {string.Join(' ', start.ArgumentList)}` exited with {process.ExitCode}; its output:\n{Text(output)}");
        }

        return Text(output);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
