using System.Reflection;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Deploy;

/// <summary>What the code actually does, read from the code itself: the configuration keys it reads and the DynamoDB actions it calls.</summary>
internal static partial class CodeFacts
{
    private static readonly Lazy<IReadOnlyList<string>> Sources = new(() =>
        [.. Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText)]);

    /// <summary>
    /// Configuration keys (in <c>Section:Key</c> form) the code reads: every public settable property of an options
    /// class with a <c>SectionName</c> constant (and of the settings classes nested in it, as <c>Section:Nested:Key</c>),
    /// the dependencies' options classes the code binds (Orleans' membership and dashboard options, ASP.NET's password hasher), and every
    /// literal key read with <c>configuration["..."]</c> or <c>configuration.GetValue("...")</c>.
    /// </summary>
    public static IReadOnlySet<string> ConfigurationKeys { get; } = FindConfigurationKeys();

    /// <summary>IAM actions (<c>dynamodb:PutItem</c>, ...) of the DynamoDB client methods the code calls.</summary>
    public static IReadOnlySet<string> DynamoDbActions { get; } = FindDynamoDbActions();

    private static HashSet<string> FindConfigurationKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var assemblies = new[] { "UserData.Gateway", "UserData.Silo", "UserData.Providers", "UserData.Grains" }.Select(Assembly.Load);
        foreach (var type in assemblies.SelectMany(assembly => assembly.GetTypes()))
        {
            if (type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                && field.GetRawConstantValue() is string section)
            {
                AddProperties(keys, section, type);
            }
        }

        // Options classes of our dependencies that the code binds to a section of its own.
        AddProperties(keys, "Cluster:Membership", typeof(Orleans.Configuration.ClusterMembershipOptions));
        AddProperties(keys, "Dashboard", typeof(Orleans.Dashboard.DashboardOptions));
        AddProperties(keys, "Dashboard:Profiler", typeof(Orleans.Dashboard.GrainProfilerOptions));
        AddProperties(keys, "Auth:PasswordHasher", typeof(Microsoft.AspNetCore.Identity.PasswordHasherOptions));

        foreach (var source in Sources.Value)
        {
            foreach (Match read in ConfigurationRead().Matches(source))
            {
                keys.Add(read.Groups["key"].Value);
            }
        }

        return keys;
    }

    private static void AddProperties(HashSet<string> keys, string prefix, Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property => property.SetMethod?.IsPublic == true))
        {
            var key = $"{prefix}:{property.Name}";
            if (property.PropertyType.IsClass && property.PropertyType.Namespace?.StartsWith("UserData.", StringComparison.Ordinal) == true)
            {
                AddProperties(keys, key, property.PropertyType);
            }
            else
            {
                keys.Add(key);
            }
        }
    }

    private static HashSet<string> FindDynamoDbActions()
    {
        var clientMethods = typeof(IAmazonDynamoDB).GetMethods().Select(method => method.Name).ToHashSet(StringComparer.Ordinal);
        return Sources.Value
            .Where(source => source.Contains("using Amazon.DynamoDBv2", StringComparison.Ordinal))
            .SelectMany(source => AsyncCall().Matches(source))
            .Select(call => call.Groups["name"].Value)
            .Where(name => clientMethods.Contains(name + "Async"))
            .Select(name => "dynamodb:" + name)
            .ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex("""(?:[Cc]onfiguration|config)(?:\s*\[\s*|\.GetValue(?:<[^>]+>)?\(\s*)"(?<key>[^"]+)""")]
    private static partial Regex ConfigurationRead();

    [GeneratedRegex(@"\.(?<name>[A-Z]\w*)Async\s*\(")]
    private static partial Regex AsyncCall();
}
