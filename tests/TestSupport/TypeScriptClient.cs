namespace UserData.TestSupport;

/// <summary>
/// The frontend flow of tests/tools/client built against an OpenAPI document, as a frontend developer would: types
/// generated from the document with openapi-typescript, the flow (<c>flow.ts</c>, on openapi-fetch) type-checked and
/// compiled by tsc into <c>flow.js</c>; and the document linted by Redocly with tests/tools/client/redocly.yaml.
/// Each build works in a folder of its own under tests/tools/client/runs (inside tests/tools, so that the compiler
/// finds the packages), deleted on dispose.
/// </summary>
public sealed class TypeScriptClient : IDisposable
{
    private static readonly Dictionary<string, string> QuietTools = new()
    {
        ["REDOCLY_TELEMETRY"] = "off",
        ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true",
        ["NO_COLOR"] = "1",
    };

    private TypeScriptClient(string folder, string output)
    {
        RunFolder = folder;
        Output = output;
    }

    public static string SourceFolder => Path.Combine(TestTools.Folder, "client");

    public string RunFolder { get; }

    public string Document => Path.Combine(RunFolder, "openapi.json");

    /// <summary>The compiled flow, an ES module that imports <c>openapi-fetch</c>.</summary>
    public string CompiledFlow => Path.Combine(RunFolder, "flow.js");

    /// <summary>The generator's and the compiler's output.</summary>
    public string Output { get; }

    /// <summary>Generates the types from <paramref name="document"/> (the OpenAPI JSON) and compiles the flow; throws with the tools' output when either fails.</summary>
    public static async Task<TypeScriptClient> BuildAsync(string document, CancellationToken cancellationToken = default)
    {
        await TestTools.EnsureNpmPackagesAsync(cancellationToken).ConfigureAwait(false);
        var folder = Directory.CreateDirectory(Path.Combine(SourceFolder, "runs", Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "openapi.json"), document, cancellationToken).ConfigureAwait(false);
            File.Copy(Path.Combine(SourceFolder, "flow.ts"), Path.Combine(folder, "flow.ts"));
            File.Copy(Path.Combine(SourceFolder, "tsconfig.json"), Path.Combine(folder, "tsconfig.json"));
            var generated = await TestTools.RunNodeAsync(
                [Package("openapi-typescript", "bin", "cli.js"), Path.Combine(folder, "openapi.json"), "--output", Path.Combine(folder, "api.d.ts")],
                QuietTools,
                cancellationToken).ConfigureAwait(false);
            var compiled = await TestTools.RunNodeAsync(
                [Package("typescript", "bin", "tsc"), "--project", Path.Combine(folder, "tsconfig.json"), "--pretty", "false"],
                QuietTools,
                cancellationToken).ConfigureAwait(false);
            return new TypeScriptClient(folder, generated + compiled);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>Lints the document; returns Redocly's report, or throws with it when a rule fails.</summary>
    public Task<string> LintAsync(CancellationToken cancellationToken = default) => TestTools.RunNodeAsync(
        [Package("@redocly", "cli", "bin", "cli.js"), "lint", Document, "--config", Path.Combine(SourceFolder, "redocly.yaml"), "--format", "stylish"],
        QuietTools,
        cancellationToken);

    public void Dispose()
    {
        try
        {
            Directory.Delete(RunFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Package(params string[] path) => Path.Combine([TestTools.NodeModules, .. path]);
}
