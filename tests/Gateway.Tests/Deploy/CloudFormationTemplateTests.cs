using System.Text.Json;
using System.Text.RegularExpressions;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Deploy;

/// <summary>Reads deploy/cloudformation/userdata.json and checks it against itself and against the code.</summary>
public sealed partial class CloudFormationTemplateTests : IDisposable
{
    private static readonly HashSet<string> PseudoParameters =
        ["AWS::AccountId", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix", "AWS::NotificationARNs"];

    private readonly JsonDocument _document = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(RepositoryRoot.Path, "deploy", "cloudformation", "userdata.json")));

    private JsonElement Template => _document.RootElement;

    private JsonElement Resources => Template.GetProperty("Resources");

    public void Dispose() => _document.Dispose();

    [Fact]
    public void Every_reference_names_a_parameter_resource_condition_or_pseudo_parameter()
    {
        var parameters = Names(Template.GetProperty("Parameters"));
        var resources = Names(Resources);
        var conditions = Names(Template.GetProperty("Conditions"));
        var referable = parameters.Concat(resources).Concat(PseudoParameters).ToHashSet(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();

        void Need(bool ok, string what)
        {
            if (!ok)
            {
                problems.Add(what);
            }
        }

        foreach (var (path, node) in Walk(Template, "$"))
        {
            if (node.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var property in node.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "Ref":
                        used.Add(property.Value.GetString()!);
                        Need(referable.Contains(property.Value.GetString()!), $"{path}: Ref {property.Value}");
                        break;
                    case "Fn::GetAtt":
                        var target = property.Value[0].GetString()!;
                        used.Add(target);
                        Need(resources.Contains(target), $"{path}: GetAtt {target}");
                        break;
                    case "Fn::Sub":
                        foreach (Match variable in SubVariable().Matches(property.Value.GetString()!))
                        {
                            var name = variable.Groups["name"].Value;
                            used.Add(name);
                            Need(referable.Contains(name) && (!variable.Groups["attribute"].Success || resources.Contains(name)), $"{path}: Sub ${{{variable.Value}}}");
                        }

                        break;
                    case "Fn::If":
                        Need(conditions.Contains(property.Value[0].GetString()!), $"{path}: If {property.Value[0]}");
                        break;
                    case "Condition" when path.StartsWith("$.Resources.", StringComparison.Ordinal) && path.Count(c => c == '.') == 2:
                        Need(conditions.Contains(property.Value.GetString()!), $"{path}: Condition {property.Value}");
                        break;
                    case "DependsOn":
                        foreach (var dependency in property.Value.ValueKind == JsonValueKind.Array ? property.Value.EnumerateArray().Select(d => d.GetString()!) : [property.Value.GetString()!])
                        {
                            Need(resources.Contains(dependency), $"{path}: DependsOn {dependency}");
                        }

                        break;
                }
            }
        }

        Assert.Empty(problems);
        Assert.DoesNotContain(parameters, parameter => !used.Contains(parameter));
    }

    [Fact]
    public void The_task_role_grants_only_dynamodb_actions_the_code_calls_on_the_tables_arns()
    {
        var tables = ResourcesOfType("AWS::DynamoDB::Table").Select(table => table.Name).ToHashSet(StringComparer.Ordinal);
        var statements = PolicyStatements(Resources.GetProperty("TaskRole")).ToList();
        Assert.NotEmpty(statements);

        foreach (var statement in statements)
        {
            Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
            foreach (var action in Strings(statement.GetProperty("Action")))
            {
                Assert.True(CodeFacts.DynamoDbActions.Contains(action), $"The task role grants {action}, which the code never calls (it calls {string.Join(", ", CodeFacts.DynamoDbActions.Order())}).");
            }

            foreach (var resource in Items(statement.GetProperty("Resource")))
            {
                Assert.True(
                    resource.ValueKind == JsonValueKind.Object && resource.TryGetProperty("Fn::GetAtt", out var arn)
                        && tables.Contains(arn[0].GetString()!) && arn[1].GetString() == "Arn",
                    $"Task role resource {resource} is not the ARN of one of the stack's tables.");
            }
        }
    }

    [Fact]
    public void Every_dynamodb_action_the_code_needs_at_run_time_is_granted()
    {
        var granted = PolicyStatements(Resources.GetProperty("TaskRole"))
            .SelectMany(statement => Strings(statement.GetProperty("Action")))
            .ToHashSet(StringComparer.Ordinal);

        // The stack owns the tables and sets Storage__DynamoDB__CreateTables=false, so the code never creates one.
        Assert.Equal("false", Environment("Storage__DynamoDB__CreateTables").Distinct().Single());
        Assert.DoesNotContain(CodeFacts.DynamoDbActions, action => action != "dynamodb:CreateTable" && !granted.Contains(action));
    }

    [Fact]
    public void No_policy_anywhere_grants_a_dynamodb_action_on_every_resource()
    {
        foreach (var role in ResourcesOfType("AWS::IAM::Role"))
        {
            foreach (var statement in PolicyStatements(role.Value))
            {
                var dynamo = Strings(statement.GetProperty("Action")).Any(action => action.StartsWith("dynamodb:", StringComparison.OrdinalIgnoreCase));
                Assert.False(dynamo && Items(statement.GetProperty("Resource")).Any(resource => resource.ValueKind == JsonValueKind.String && resource.GetString()!.Contains('*')),
                    $"{role.Name} grants DynamoDB on a wildcard resource.");
            }
        }

        var execution = PolicyStatements(Resources.GetProperty("TaskExecutionRole")).ToList();
        Assert.All(execution, statement => Assert.Equal(["secretsmanager:GetSecretValue"], Strings(statement.GetProperty("Action"))));
        Assert.All(execution.SelectMany(statement => Items(statement.GetProperty("Resource"))), resource =>
            Assert.Equal("AWS::SecretsManager::Secret", Resources.GetProperty(resource.GetProperty("Ref").GetString()!).GetProperty("Type").GetString()));
    }

    [Fact]
    public void Every_environment_variable_and_secret_is_a_configuration_key_the_code_reads()
    {
        var names = ContainerDefinitions()
            .SelectMany(container => new[] { "Environment", "Secrets" }
                .Where(list => container.TryGetProperty(list, out _))
                .SelectMany(list => container.GetProperty(list).EnumerateArray())
                .Select(variable => variable.GetProperty("Name").GetString()!))
            .Distinct()
            .ToList();
        Assert.NotEmpty(names);

        var unknown = names.Where(name => !CodeFacts.ConfigurationKeys.Contains(ConfigurationKey(name))).ToList();

        Assert.True(unknown.Count == 0, $"Not read by the code: {string.Join(", ", unknown)}. Known keys: {string.Join(", ", CodeFacts.ConfigurationKeys.Order())}");
    }

    [Fact]
    public void Secrets_come_from_secrets_manager_and_never_from_plain_environment()
    {
        foreach (var container in ContainerDefinitions())
        {
            var plain = container.GetProperty("Environment").EnumerateArray().Select(variable => variable.GetProperty("Name").GetString()!);
            Assert.DoesNotContain(plain, name => name is "Auth__SigningKey" or "Cluster__Secret");
            foreach (var secret in container.GetProperty("Secrets").EnumerateArray())
            {
                var source = secret.GetProperty("ValueFrom").GetProperty("Ref").GetString()!;
                Assert.Equal("AWS::SecretsManager::Secret", Resources.GetProperty(source).GetProperty("Type").GetString());
            }
        }

        Assert.Contains(ContainerDefinitions().SelectMany(c => c.GetProperty("Secrets").EnumerateArray()), s => s.GetProperty("Name").GetString() == "Auth__SigningKey");
        Assert.All(ContainerDefinitions(), c => Assert.Contains(c.GetProperty("Secrets").EnumerateArray(), s => s.GetProperty("Name").GetString() == "Cluster__Secret"));
    }

    [Fact]
    public void Tables_match_the_code_and_are_on_demand_with_point_in_time_recovery_and_encryption()
    {
        var expected = new Dictionary<string, string[]>
        {
            ["journal"] = ["grain", "S", "seq", "N"],
            ["snapshots"] = ["grain", "S", "part", "S"],
            ["membership"] = ["cluster", "S", "silo", "S"],
        };
        var tables = ResourcesOfType("AWS::DynamoDB::Table").ToList();
        Assert.Equal(expected.Count, tables.Count);
        foreach (var (_, table) in tables)
        {
            var properties = table.GetProperty("Properties");
            var suffix = properties.GetProperty("TableName").GetProperty("Fn::Sub").GetString()!.Replace("${TablePrefix}", "", StringComparison.Ordinal);
            var keys = properties.GetProperty("KeySchema").EnumerateArray().Select(key => key.GetProperty("AttributeName").GetString()!).ToList();
            var types = properties.GetProperty("AttributeDefinitions").EnumerateArray()
                .ToDictionary(attribute => attribute.GetProperty("AttributeName").GetString()!, attribute => attribute.GetProperty("AttributeType").GetString()!);
            Assert.Equal<string>(expected[suffix], [keys[0], types[keys[0]], keys[1], types[keys[1]]]);
            Assert.Equal("PAY_PER_REQUEST", properties.GetProperty("BillingMode").GetString());
            Assert.True(properties.GetProperty("PointInTimeRecoverySpecification").GetProperty("PointInTimeRecoveryEnabled").GetBoolean());
            Assert.True(properties.GetProperty("SSESpecification").GetProperty("SSEEnabled").GetBoolean());
            Assert.Equal("Retain", table.GetProperty("DeletionPolicy").GetString());
        }
    }

    [Fact]
    public void The_load_balancer_checks_readiness_and_the_silo_port_is_open_only_between_the_clusters_tasks()
    {
        var targetGroup = Resources.GetProperty("GatewayTargetGroup").GetProperty("Properties");
        Assert.Equal("/health/ready", targetGroup.GetProperty("HealthCheckPath").GetString());

        var siloPortRules = Walk(Resources, "$")
            .Select(found => found.Node)
            .Where(node => node.ValueKind == JsonValueKind.Object && node.TryGetProperty("FromPort", out var port) && port.ValueKind == JsonValueKind.Object
                && port.TryGetProperty("Ref", out var name) && name.GetString() == "SiloPort")
            .ToList();
        var rule = Assert.Single(siloPortRules);
        Assert.False(rule.TryGetProperty("CidrIp", out _));
        Assert.Equal(rule.GetProperty("GroupId").GetProperty("Ref").GetString(), rule.GetProperty("SourceSecurityGroupId").GetProperty("Ref").GetString());

        // Both services' tasks are in that group, and no other ingress rule mentions the silo port.
        var group = rule.GetProperty("GroupId").GetProperty("Ref").GetString();
        foreach (var service in ResourcesOfType("AWS::ECS::Service"))
        {
            var groups = service.Value.GetProperty("Properties").GetProperty("NetworkConfiguration").GetProperty("AwsvpcConfiguration").GetProperty("SecurityGroups");
            Assert.Contains(groups.EnumerateArray(), g => g.GetProperty("Ref").GetString() == group);
        }

        var serviceNames = ResourcesOfType("AWS::ECS::Service").Select(service => service.Name).ToHashSet();
        var scaled = ResourcesOfType("AWS::ApplicationAutoScaling::ScalableTarget")
            .Select(target => target.Value.GetProperty("Properties").GetProperty("ResourceId").GetProperty("Fn::Join")[1][2].GetProperty("Fn::GetAtt")[0].GetString()!)
            .ToHashSet();
        Assert.Equal(serviceNames, scaled);
    }

    /// <summary>An environment variable's configuration key: <c>__</c> is <c>:</c>, and the host reads <c>ASPNETCORE_*</c> without the prefix.</summary>
    private static string ConfigurationKey(string environmentVariable) =>
        (environmentVariable.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ? environmentVariable["ASPNETCORE_".Length..] : environmentVariable)
            .Replace("__", ":", StringComparison.Ordinal);

    private IEnumerable<string> Environment(string name) =>
        ContainerDefinitions()
            .SelectMany(container => container.GetProperty("Environment").EnumerateArray())
            .Where(variable => variable.GetProperty("Name").GetString() == name)
            .Select(variable => variable.GetProperty("Value").GetString()!);

    private IEnumerable<JsonElement> ContainerDefinitions() =>
        ResourcesOfType("AWS::ECS::TaskDefinition").SelectMany(task => task.Value.GetProperty("Properties").GetProperty("ContainerDefinitions").EnumerateArray());

    private IEnumerable<(string Name, JsonElement Value)> ResourcesOfType(string type) =>
        Resources.EnumerateObject().Where(resource => resource.Value.GetProperty("Type").GetString() == type).Select(resource => (resource.Name, resource.Value));

    private static IEnumerable<JsonElement> PolicyStatements(JsonElement role) =>
        role.GetProperty("Properties").TryGetProperty("Policies", out var policies)
            ? policies.EnumerateArray().SelectMany(policy => policy.GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray())
            : [];

    private static IEnumerable<JsonElement> Items(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [value];

    private static List<string> Strings(JsonElement value) => [.. Items(value).Select(item => item.GetString()!)];

    private static HashSet<string> Names(JsonElement section) => section.EnumerateObject().Select(property => property.Name).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<(string Path, JsonElement Node)> Walk(JsonElement node, string path)
    {
        yield return (path, node);
        var children = node.ValueKind switch
        {
            JsonValueKind.Object => node.EnumerateObject().Select(property => (Path: $"{path}.{property.Name}", Node: property.Value)),
            JsonValueKind.Array => node.EnumerateArray().Select((item, index) => (Path: $"{path}[{index}]", Node: item)),
            _ => [],
        };
        foreach (var (childPath, child) in children.ToList())
        {
            foreach (var found in Walk(child, childPath))
            {
                yield return found;
            }
        }
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z0-9:]+)(\.(?<attribute>[A-Za-z0-9.]+))?\}")]
    private static partial Regex SubVariable();
}
