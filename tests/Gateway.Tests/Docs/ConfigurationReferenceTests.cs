using System.Text.RegularExpressions;
using UserData.Gateway.Tests.Deploy;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Docs;

/// <summary><c>docs/configuration.md</c> is the operator's reference: it names every key the code reads, and nothing else.</summary>
public sealed partial class ConfigurationReferenceTests
{
    private static readonly string ReferencePath = Path.Combine(RepositoryRoot.Path, "docs", "configuration.md");

    [Fact]
    public void Every_key_the_code_reads_is_in_the_reference()
    {
        var documented = DocumentedKeys();
        var missing = CodeFacts.ConfigurationKeys.Where(key => !documented.Any(entry => entry.Covers(key))).Order().ToList();

        Assert.True(missing.Count == 0, "docs/configuration.md lacks: " + string.Join(", ", missing.Select(ToEnvironmentName)));
    }

    [Fact]
    public void Every_key_in_the_reference_is_read_by_the_code()
    {
        var unknown = DocumentedKeys()
            .Where(entry => !CodeFacts.ConfigurationKeys.Any(entry.Covers))
            .Select(entry => entry.Text)
            .ToList();

        Assert.True(unknown.Count == 0, "docs/configuration.md names keys no code reads: " + string.Join(", ", unknown));
    }

    private static List<DocumentedKey> DocumentedKeys()
    {
        var keys = File.ReadLines(ReferencePath)
            .Select(line => TableKey().Match(line))
            .Where(match => match.Success)
            .Select(match => new DocumentedKey(match.Groups["key"].Value))
            .ToList();
        Assert.NotEmpty(keys);
        return keys;
    }

    private static string ToEnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>A row's key in environment form; <c>Section__*</c> stands for every key of a section Orleans defines.</summary>
    private sealed record DocumentedKey(string Text)
    {
        private string Key { get; } = Text.Replace("__", ":", StringComparison.Ordinal);

        public bool Covers(string codeKey) => Key.EndsWith(":*", StringComparison.Ordinal)
            ? codeKey.StartsWith(Key[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(Key, codeKey, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^\|\s*`(?<key>[A-Za-z][A-Za-z0-9_]*(?:__\*)?)`\s*\|")]
    private static partial Regex TableKey();
}
