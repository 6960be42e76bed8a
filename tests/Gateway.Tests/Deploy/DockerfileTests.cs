using System.Text.RegularExpressions;
using System.Xml.Linq;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Deploy;

/// <summary>
/// deploy/docker's Dockerfiles cannot be built here (no Docker engine), so what can go stale in them is read and checked
/// against the repository: the projects they restore, the assembly they start, the user, the images and the ports.
/// </summary>
public sealed partial class DockerfileTests
{
    [Theory]
    [InlineData("gateway.Dockerfile", "src/Gateway/UserData.Gateway.csproj")]
    [InlineData("silo.Dockerfile", "src/Silo/UserData.Silo.csproj")]
    public void The_image_restores_every_project_its_entry_project_needs_and_starts_that_projects_assembly(string dockerfile, string project)
    {
        var text = Read(dockerfile);

        // Restore runs before `COPY src/ src/`, so a project file not copied by then fails the build.
        var copied = CopiedProjects().Matches(text).Select(match => match.Groups["path"].Value).ToList();
        Assert.Equal(ProjectClosure(project).Order(), copied.Order());
        Assert.Contains($"RUN dotnet restore {project}", text, StringComparison.Ordinal);
        Assert.Contains($"RUN dotnet publish {project} ", text, StringComparison.Ordinal);
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{Path.GetFileNameWithoutExtension(project)}.dll\"]", text, StringComparison.Ordinal);
        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, file)), file);
            Assert.Matches($@"(?m)^COPY [^\n]*\b{Regex.Escape(file)}\b", text);
        }
    }

    [Theory]
    [InlineData("gateway.Dockerfile")]
    [InlineData("silo.Dockerfile")]
    public void The_image_publishes_with_the_sdk_runs_on_aspnet_as_a_non_root_user_and_checks_liveness(string dockerfile)
    {
        var text = Read(dockerfile);
        var stages = From().Matches(text).Select(match => match.Groups["image"].Value).ToList();

        Assert.Equal(["mcr.microsoft.com/dotnet/sdk:10.0", "mcr.microsoft.com/dotnet/aspnet:10.0"], stages);
        var user = Assert.Single(User().Matches(text)).Groups["user"].Value;
        Assert.DoesNotContain(user, new[] { "root", "0", "0:0" });
        Assert.Equal("$APP_UID", user);
        Assert.Contains("http://127.0.0.1:8080/health ", text, StringComparison.Ordinal);
        Assert.Contains("ENV ASPNETCORE_URLS=http://+:8080", text, StringComparison.Ordinal);
        // ICU stays on (NFKC normalization needs it): nothing may switch the runtime to invariant globalization.
        Assert.DoesNotContain("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gateway.Dockerfile")]
    [InlineData("silo.Dockerfile")]
    public void The_image_exposes_the_http_port_and_the_clusters_default_ports(string dockerfile)
    {
        var exposed = Assert.Single(Expose().Matches(Read(dockerfile))).Groups["ports"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var cluster = new Silo.Configuration.ClusterSettings();
        Assert.Equal(["8080", cluster.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), cluster.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], exposed);
    }

    private static string Read(string dockerfile) => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "deploy", "docker", dockerfile));

    /// <summary>The project and every project it references, directly or not, as repository-relative paths.</summary>
    private static HashSet<string> ProjectClosure(string project)
    {
        var closure = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!closure.Add(next))
            {
                continue;
            }

            var path = Path.Combine(RepositoryRoot.Path, next);
            foreach (var reference in XDocument.Load(path).Descendants("ProjectReference").Select(element => element.Attribute("Include")!.Value))
            {
                var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, reference.Replace('\\', Path.DirectorySeparatorChar)));
                pending.Push(Path.GetRelativePath(RepositoryRoot.Path, full).Replace(Path.DirectorySeparatorChar, '/'));
            }
        }

        return closure;
    }

    [GeneratedRegex(@"(?m)^COPY (?<path>src/\S+\.csproj) ")]
    private static partial Regex CopiedProjects();

    [GeneratedRegex(@"(?m)^FROM (?<image>\S+)")]
    private static partial Regex From();

    [GeneratedRegex(@"(?m)^USER (?<user>\S+)")]
    private static partial Regex User();

    [GeneratedRegex(@"(?m)^EXPOSE (?<ports>[0-9 ]+)$")]
    private static partial Regex Expose();
}
