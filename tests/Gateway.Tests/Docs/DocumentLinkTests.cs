using System.Text.RegularExpressions;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Docs;

/// <summary>The repository explains itself: every file a README or a doc links to is in the repository.</summary>
public sealed partial class DocumentLinkTests
{
    public static TheoryData<string> Documents()
    {
        var documents = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(RepositoryRoot.Path, "*.md", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(RepositoryRoot.Path, path))
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "node_modules" or "bin" or "obj" or "artifacts" || part.StartsWith('.')))
            .Order(StringComparer.Ordinal))
        {
            documents.Add(path);
        }

        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_names_a_file_in_the_repository(string document)
    {
        var folder = Path.GetDirectoryName(Path.Combine(RepositoryRoot.Path, document))!;
        var broken = RelativeLink().Matches(File.ReadAllText(Path.Combine(RepositoryRoot.Path, document)))
            .Select(link => link.Groups["target"].Value)
            .Where(target => !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith('#') && !target.StartsWith("mailto:", StringComparison.Ordinal))
            .Select(target => target.Split('#')[0])
            .Where(target => !IsInRepository(Path.GetFullPath(Path.Combine(folder, target))))
            .ToList();

        Assert.True(broken.Count == 0, $"{document} links to what the repository does not hold: {string.Join(", ", broken)}");
    }

    private static bool IsInRepository(string path) =>
        path.StartsWith(Path.GetFullPath(RepositoryRoot.Path) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
        && (File.Exists(path) || Directory.Exists(path));

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex RelativeLink();
}
