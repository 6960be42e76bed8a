using System.Reflection;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Deploy;

/// <summary>What the code actually does, read from the code itself: the configuration keys it reads and the DynamoDB actions it calls.</summary>
internal static partial class CodeFacts
{
    private static readonly string DynamoDBProviders = Path.Combine(RepositoryRoot.Path, "src", "Providers", "DynamoDB");

    // IAM has no action of its own for a transaction: each item in it is authorized as the single-item action it does.
    private static readonly Dictionary<string, string> TransactionItemActions = new(StringComparer.Ordinal)
    {
        ["Put"] = "PutItem",
        ["Update"] = "UpdateItem",
        ["Delete"] = "DeleteItem",
        ["ConditionCheck"] = "ConditionCheckItem",
        ["Get"] = "GetItem",
    };

    private static readonly Lazy<IReadOnlyList<(string Path, string Text)>> Sources = new(() =>
        [.. Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => (path, File.ReadAllText(path)))]);

    /// <summary>
    /// Configuration keys (in <c>Section:Key</c> form) the code reads: every public settable property of an options
    /// class with a <c>SectionName</c> constant (and of the settings classes nested in it, as <c>Section:Nested:Key</c>),
    /// the dependencies' options classes the code binds (Orleans' membership and dashboard options, ASP.NET's password hasher), and every
    /// literal key read with <c>configuration["..."]</c> or <c>configuration.GetValue("...")</c>.
    /// </summary>
    public static IReadOnlySet<string> ConfigurationKeys { get; } = FindConfigurationKeys();

    /// <summary>
    /// IAM actions (<c>dynamodb:PutItem</c>, ...) of the DynamoDB client methods the code calls, by the folder of
    /// <c>src/Providers/DynamoDB</c> that calls them (<c>Journal</c>, <c>GrainStorage</c>, <c>Clustering</c>; <c>""</c> for the
    /// helpers every provider uses, such as creating and describing its tables). A transaction counts as the actions of its items.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> DynamoDbActionsByProvider { get; } = FindDynamoDbActions();

    /// <summary>Every IAM action of <see cref="DynamoDbActionsByProvider"/>.</summary>
    public static IReadOnlySet<string> DynamoDbActions { get; } = DynamoDbActionsByProvider.Values.SelectMany(actions => actions).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// IAM actions (<c>dynamodb:GetRecords</c>, ...) of the DynamoDB Streams operations the change feed calls: the code signs
    /// those requests itself, naming each operation in a <c>CallAsync("...")</c> of the file with the Streams API's target prefix.
    /// </summary>
    public static IReadOnlySet<string> DynamoDbStreamsActions { get; } = Sources.Value
        .Where(source => source.Text.Contains("\"DynamoDBStreams_20120810.\"", StringComparison.Ordinal))
        .SelectMany(source => StreamsCall().Matches(source.Text))
        .Select(call => "dynamodb:" + call.Groups["operation"].Value)
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>The tables the silo names after <c>Storage:DynamoDB:TablePrefix</c> (<c>journal</c>, ...), read from the code that names them.</summary>
    public static IReadOnlySet<string> DynamoDbTableSuffixes { get; } = Sources.Value
        .SelectMany(source => TableSuffix().Matches(source.Text))
        .Select(match => match.Groups["suffix"].Value)
        .ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> FindConfigurationKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var assemblies = new[] { "UserData.Gateway", "UserData.Silo", "UserData.Providers", "UserData.Grains", "UserData.Lake" }.Select(Assembly.Load);
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
        AddProperties(keys, "Cluster:Messaging", typeof(Orleans.Configuration.ClientMessagingOptions));
        AddProperties(keys, "Cluster:Messaging", typeof(Orleans.Configuration.SiloMessagingOptions));
        AddProperties(keys, "Dashboard", typeof(Orleans.Dashboard.DashboardOptions));
        AddProperties(keys, "Dashboard:Profiler", typeof(Orleans.Dashboard.GrainProfilerOptions));
        AddProperties(keys, "Auth:PasswordHasher", typeof(Microsoft.AspNetCore.Identity.PasswordHasherOptions));

        foreach (var (_, source) in Sources.Value)
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

    private static Dictionary<string, IReadOnlySet<string>> FindDynamoDbActions()
    {
        var clientMethods = typeof(IAmazonDynamoDB).GetMethods().Select(method => method.Name).ToHashSet(StringComparer.Ordinal);
        var byProvider = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (path, text) in Sources.Value.Where(source => source.Text.Contains("using Amazon.DynamoDBv2", StringComparison.Ordinal)))
        {
            var calls = AsyncCall().Matches(text).Select(call => call.Groups["name"].Value).Where(name => clientMethods.Contains(name + "Async")).ToList();
            var relative = Path.GetRelativePath(DynamoDBProviders, path);
            if (relative.StartsWith("..", StringComparison.Ordinal))
            {
                // Wiring may name the client's types; only the providers may call it.
                if (calls.Count > 0)
                {
                    throw new InvalidOperationException($"{path} calls DynamoDB outside src/Providers/DynamoDB: teach CodeFacts which tables it calls.");
                }

                continue;
            }

            var provider = Path.GetDirectoryName(relative)!.Split(Path.DirectorySeparatorChar)[0];
            if (!byProvider.TryGetValue(provider, out var actions))
            {
                byProvider[provider] = actions = new HashSet<string>(StringComparer.Ordinal);
            }

            foreach (var call in calls)
            {
                if (call.StartsWith("Transact", StringComparison.Ordinal))
                {
                    actions.UnionWith(TransactionItem().Matches(text).Select(item => "dynamodb:" + TransactionItemActions[item.Groups["kind"].Value]));
                }
                else
                {
                    actions.Add("dynamodb:" + call);
                }
            }
        }

        return byProvider.ToDictionary(provider => provider.Key, provider => (IReadOnlySet<string>)provider.Value, StringComparer.Ordinal);
    }

    [GeneratedRegex("""(?:[Cc]onfiguration|config)(?:\s*\[\s*|\.GetValue(?:<[^>]+>)?\(\s*)"(?<key>[^"]+)""")]
    private static partial Regex ConfigurationRead();

    [GeneratedRegex(@"\.(?<name>[A-Z]\w*)Async\s*\(")]
    private static partial Regex AsyncCall();

    [GeneratedRegex(@"\b(?<kind>Put|Update|Delete|ConditionCheck|Get)\s*=\s*new\s+(Put|Update|Delete|ConditionCheck|Get)\b")]
    private static partial Regex TransactionItem();

    [GeneratedRegex(@"CallAsync\(\s*""(?<operation>[A-Za-z]+)""")]
    private static partial Regex StreamsCall();

    [GeneratedRegex(@"TablePrefix\s*\+\s*""(?<suffix>[A-Za-z0-9_.-]+)""")]
    private static partial Regex TableSuffix();
}
