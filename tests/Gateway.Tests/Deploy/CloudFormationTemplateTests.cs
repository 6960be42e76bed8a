using System.Globalization;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Deploy;

/// <summary>Reads deploy/cloudformation/userdata.json and checks it against itself and against the code.</summary>
public sealed partial class CloudFormationTemplateTests : IDisposable
{
    private static readonly HashSet<string> PseudoParameters =
        ["AWS::AccountId", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix", "AWS::NotificationARNs"];

    /// <summary>Which provider folder of <c>src/Providers/DynamoDB</c> uses each table (by its name after the prefix).</summary>
    private static readonly Dictionary<string, string> TableProviders = new(StringComparer.Ordinal)
    {
        ["journal"] = "Journal",
        ["snapshots"] = "Journal",
        ["grain-state"] = "GrainStorage",
        ["membership"] = "Clustering",
        ["change-feed"] = "ChangeFeed",
    };

    private static readonly string TemplatePath = Path.Combine(RepositoryRoot.Path, "deploy", "cloudformation", "userdata.json");

    private readonly JsonDocument _document = JsonDocument.Parse(File.ReadAllText(TemplatePath));

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
    public void The_stacks_tables_are_the_tables_the_code_names()
    {
        var deployed = CodeFacts.DynamoDbTableSuffixes.Order().ToList();
        Assert.Equal(deployed, Tables().Select(table => table.Suffix).Order());
        Assert.Equal(deployed, TableProviders.Keys.Order());
    }

    [Fact]
    public void The_task_policies_grant_each_table_exactly_the_dynamodb_actions_of_the_provider_that_uses_it()
    {
        var tables = Tables().ToDictionary(table => table.Resource, table => table.Suffix, StringComparer.Ordinal);
        var statements = TaskPolicyStatements().Where(statement => Items(statement.GetProperty("Resource")).Any(resource => IsArnOf(resource, tables.Keys))).ToList();
        var covered = new List<string>();
        foreach (var statement in statements)
        {
            Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
            var resources = Items(statement.GetProperty("Resource")).Select(resource =>
            {
                Assert.True(IsArnOf(resource, tables.Keys), $"Task policy resource {resource} is not the ARN of one of the stack's tables.");
                return resource.GetProperty("Fn::GetAtt")[0].GetString()!;
            }).ToList();
            covered.AddRange(resources);
            var provider = Assert.Single(resources.Select(table => TableProviders[tables[table]]).Distinct());

            // DescribeTable (and CreateTable, which CreateTables=false never calls) come from the helpers every provider shares.
            var needed = CodeFacts.DynamoDbActionsByProvider[provider].Concat(CodeFacts.DynamoDbActionsByProvider[""])
                .Where(action => action != "dynamodb:CreateTable")
                .ToHashSet(StringComparer.Ordinal);
            Assert.Equal(needed.Order(), Strings(statement.GetProperty("Action")).Order());
        }

        Assert.Equal(tables.Keys.Order(), covered.Order());
    }

    [Fact]
    public void The_stack_owns_the_tables_so_no_task_creates_one()
    {
        var containers = ContainerDefinitions().ToList();
        Assert.All(containers, container => Assert.Equal("false", Environment(container, "Storage__DynamoDB__CreateTables")));
        Assert.DoesNotContain("dynamodb:CreateTable", TaskPolicyStatements().SelectMany(statement => Strings(statement.GetProperty("Action"))));
    }

    [Fact]
    public void No_policy_anywhere_grants_an_action_on_a_wildcard_resource_and_the_execution_role_reads_only_the_task_secrets()
    {
        foreach (var (name, policy) in ResourcesOfType("AWS::IAM::Role").Concat(ResourcesOfType("AWS::IAM::ManagedPolicy")))
        {
            foreach (var statement in PolicyStatements(policy).Where(statement => statement.GetProperty("Effect").GetString() == "Allow"))
            {
                Assert.False(Items(statement.GetProperty("Resource")).Any(resource => resource.ValueKind == JsonValueKind.String && resource.GetString()!.Contains('*')),
                    $"{name} grants {statement.GetProperty("Action")} on a wildcard resource.");
            }
        }

        var execution = PolicyStatements(Resources.GetProperty("TaskExecutionRole")).ToList();
        Assert.All(execution, statement => Assert.Equal(["secretsmanager:GetSecretValue"], Strings(statement.GetProperty("Action"))));
        var readable = execution.SelectMany(statement => Items(statement.GetProperty("Resource"))).Select(resource => resource.GetProperty("Ref").GetString()!).ToList();
        var injected = ContainerDefinitions().SelectMany(container => container.GetProperty("Secrets").EnumerateArray()).Select(secret => SecretSource(secret.GetProperty("ValueFrom"))).Distinct();
        Assert.Equal(injected.Order(), readable.Order());
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
    public void Secrets_and_certificates_come_from_secrets_manager_and_never_from_plain_environment()
    {
        string[] secretKeys = ["Auth__SigningKey", "Auth__EmailKey", "Cluster__Tls__CertificatePem", "Cluster__Tls__KeyPem", "Cluster__Tls__CaPem"];
        foreach (var container in ContainerDefinitions())
        {
            var plain = container.GetProperty("Environment").EnumerateArray().Select(variable => variable.GetProperty("Name").GetString()!).ToList();
            Assert.DoesNotContain(plain, name => secretKeys.Contains(name) || name.StartsWith("Cluster__Tls__", StringComparison.Ordinal));
            foreach (var secret in container.GetProperty("Secrets").EnumerateArray())
            {
                var source = SecretSource(secret.GetProperty("ValueFrom"));
                Assert.True(
                    Resources.TryGetProperty(source, out var resource)
                        ? resource.GetProperty("Type").GetString() == "AWS::SecretsManager::Secret"
                        : Template.GetProperty("Parameters").GetProperty(source).GetProperty("AllowedPattern").GetString()!.StartsWith("^arn:aws[a-z-]*:secretsmanager:", StringComparison.Ordinal),
                    $"{secret.GetProperty("Name")} comes from {source}, which is neither a Secrets Manager secret of the stack nor a parameter that must be a secret's ARN.");
            }
        }

        Assert.Equal("SigningKeySecret", SecretSource(Secret(Container("gateway"), "Auth__SigningKey")));
        Assert.Equal("EmailKeySecret", SecretSource(Secret(Container("gateway"), "Auth__EmailKey")));
    }

    [Fact]
    public void Every_task_speaks_mutual_tls_with_its_services_own_certificate_and_the_clusters_ca()
    {
        var certificates = new Dictionary<string, string>();
        foreach (var name in new[] { "gateway", "silo" })
        {
            var container = Container(name);
            Assert.Equal("DynamoDB", Environment(container, "Cluster__Provider"));
            var certificate = Secret(container, "Cluster__Tls__CertificatePem");
            var key = Secret(container, "Cluster__Tls__KeyPem");

            // One secret per service holds {"certificate": PEM, "key": PEM}; ECS injects each JSON key (ValueFrom arn:json-key::).
            Assert.Equal("${" + SecretSource(certificate) + "}:certificate::", certificate.GetProperty("Fn::Sub").GetString());
            Assert.Equal("${" + SecretSource(certificate) + "}:key::", key.GetProperty("Fn::Sub").GetString());
            Assert.Equal("ClusterCaSecretArn", SecretSource(Secret(container, "Cluster__Tls__CaPem")));
            certificates[name] = SecretSource(certificate);
        }

        Assert.NotEqual(certificates["gateway"], certificates["silo"]);
        Assert.Equal("false", Environment(Container("gateway"), "Gateway__CoHostSilo"));
    }

    [Fact]
    public void The_pure_gateway_gives_up_a_call_through_a_dead_silo_sooner_than_Orleans_default_30_s()
    {
        var timeout = TimeSpan.Parse(Environment(Container("gateway"), "Cluster__Messaging__ResponseTimeout"), CultureInfo.InvariantCulture);

        Assert.InRange(timeout, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void Tables_match_the_code_and_are_on_demand_with_streams_point_in_time_recovery_encryption_and_deletion_protection()
    {
        var expected = new Dictionary<string, string[]>
        {
            ["journal"] = ["stream", "S", "seq", "N"],
            ["snapshots"] = ["stream", "S", "part", "S"],
            ["grain-state"] = ["pk", "S", "sk", "S"],
            ["membership"] = ["cluster", "S", "silo", "S"],
            ["change-feed"] = ["consumer", "S", "key", "S"],
        };
        var tables = Tables().ToList();
        Assert.Equal(expected.Keys.Order(), tables.Select(table => table.Suffix).Order());
        foreach (var (resource, suffix, table) in tables)
        {
            var properties = table.GetProperty("Properties");
            var keys = properties.GetProperty("KeySchema").EnumerateArray().Select(key => key.GetProperty("AttributeName").GetString()!).ToList();
            var types = properties.GetProperty("AttributeDefinitions").EnumerateArray()
                .ToDictionary(attribute => attribute.GetProperty("AttributeName").GetString()!, attribute => attribute.GetProperty("AttributeType").GetString()!);
            Assert.Equal<string>(expected[suffix], [keys[0], types[keys[0]], keys[1], types[keys[1]]]);
            Assert.Equal("PAY_PER_REQUEST", properties.GetProperty("BillingMode").GetString());
            Assert.True(properties.GetProperty("PointInTimeRecoverySpecification").GetProperty("PointInTimeRecoveryEnabled").GetBoolean());
            Assert.True(properties.GetProperty("SSESpecification").GetProperty("SSEEnabled").GetBoolean());
            Assert.True(properties.GetProperty("DeletionProtectionEnabled").GetBoolean(), resource);
            Assert.Equal("Retain", table.GetProperty("DeletionPolicy").GetString());
            Assert.Equal("Retain", table.GetProperty("UpdateReplacePolicy").GetString());
            Assert.Equal(suffix == "journal" ? "NEW_AND_OLD_IMAGES" : null,
                properties.TryGetProperty("StreamSpecification", out var stream) ? stream.GetProperty("StreamViewType").GetString() : null);
        }
    }

    [Fact]
    public void The_cluster_ports_are_open_only_between_the_clusters_tasks_and_http_only_to_the_load_balancer()
    {
        var clusterPorts = new[] { "SiloPort", "GatewayPort" };
        var rules = IngressRules().ToList();
        var taskGroups = ResourcesOfType("AWS::ECS::Service")
            .SelectMany(service => service.Value.GetProperty("Properties").GetProperty("NetworkConfiguration").GetProperty("AwsvpcConfiguration").GetProperty("SecurityGroups").EnumerateArray())
            .Select(group => group.GetProperty("Ref").GetString()!)
            .ToHashSet();

        foreach (var port in clusterPorts)
        {
            var rule = Assert.Single(rules, rule => rule.Port == port);
            Assert.Equal(rule.Group, rule.Source);
            Assert.Equal(port, rule.ToPort);
            Assert.All(ResourcesOfType("AWS::ECS::Service"), service => Assert.Contains(rule.Group,
                service.Value.GetProperty("Properties").GetProperty("NetworkConfiguration").GetProperty("AwsvpcConfiguration").GetProperty("SecurityGroups").EnumerateArray().Select(group => group.GetProperty("Ref").GetString())));
        }

        // Every other way into a task is the HTTP port, from the load balancer's group; nothing reaches a task from an address range.
        foreach (var rule in rules.Where(rule => taskGroups.Contains(rule.Group) && !clusterPorts.Contains(rule.Port)))
        {
            Assert.Equal("8080", rule.Port);
            Assert.Equal("LoadBalancerSecurityGroup", rule.Source);
        }

        Assert.DoesNotContain(rules, rule => taskGroups.Contains(rule.Group) && rule.Source is null);
        Assert.DoesNotContain("LoadBalancerSecurityGroup", taskGroups);

        foreach (var name in new[] { "gateway", "silo" })
        {
            var container = Container(name);
            Assert.Equal("http://+:8080", Environment(container, "ASPNETCORE_URLS"));
            Assert.Equal("SiloPort", EnvironmentRef(container, "Cluster__SiloPort"));
            Assert.Equal("GatewayPort", EnvironmentRef(container, "Cluster__GatewayPort"));
        }

        var mapped = Container("silo").GetProperty("PortMappings").EnumerateArray().Select(mapping => mapping.GetProperty("ContainerPort"))
            .Select(port => port.ValueKind == JsonValueKind.Object ? port.GetProperty("Ref").GetString() : port.GetRawText());
        Assert.Equal(["8080", "GatewayPort", "SiloPort"], mapped.Order());
        Assert.Equal(["8080"], Container("gateway").GetProperty("PortMappings").EnumerateArray().Select(mapping => mapping.GetProperty("ContainerPort").GetRawText()));
    }

    [Fact]
    public void The_load_balancer_checks_readiness_the_containers_liveness_and_both_services_scale()
    {
        var targetGroup = Resources.GetProperty("GatewayTargetGroup").GetProperty("Properties");
        Assert.Equal("/health/ready", targetGroup.GetProperty("HealthCheckPath").GetString());
        Assert.Equal(8080, targetGroup.GetProperty("Port").GetInt32());
        Assert.All(ContainerDefinitions(), container =>
            Assert.Contains("http://127.0.0.1:8080/health ", container.GetProperty("HealthCheck").GetProperty("Command")[1].GetString(), StringComparison.Ordinal));

        var serviceNames = ResourcesOfType("AWS::ECS::Service").Select(service => service.Name).ToHashSet();
        var scaled = ResourcesOfType("AWS::ApplicationAutoScaling::ScalableTarget")
            .Select(target => target.Value.GetProperty("Properties").GetProperty("ResourceId").GetProperty("Fn::Join")[1][2].GetProperty("Fn::GetAtt")[0].GetString()!)
            .ToHashSet();
        Assert.Equal(serviceNames, scaled);
    }

    [Fact]
    public async Task The_template_passes_cfn_lint()
    {
        var lint = await TestTools.EnsurePythonCommandAsync("cfn-lint", "cfn-lint", "Linting the CloudFormation template");
        var start = new ProcessStartInfo(lint) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(TemplatePath);
        using var process = Process.Start(start)!;
        var output = await Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"cfn-lint {TemplatePath} exited with {process.ExitCode}:\n{string.Join('\n', output)}");
    }

    /// <summary>An environment variable's configuration key: <c>__</c> is <c>:</c>, and the host reads <c>ASPNETCORE_*</c> without the prefix.</summary>
    private static string ConfigurationKey(string environmentVariable) =>
        (environmentVariable.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ? environmentVariable["ASPNETCORE_".Length..] : environmentVariable)
            .Replace("__", ":", StringComparison.Ordinal);

    private static string Environment(JsonElement container, string name) =>
        EnvironmentValue(container, name).GetString()!;

    private static string EnvironmentRef(JsonElement container, string name) =>
        EnvironmentValue(container, name).GetProperty("Ref").GetString()!;

    private static JsonElement EnvironmentValue(JsonElement container, string name) =>
        container.GetProperty("Environment").EnumerateArray().Single(variable => variable.GetProperty("Name").GetString() == name).GetProperty("Value");

    private static JsonElement Secret(JsonElement container, string name) =>
        container.GetProperty("Secrets").EnumerateArray().Single(secret => secret.GetProperty("Name").GetString() == name).GetProperty("ValueFrom");

    /// <summary>The resource or parameter a secret's <c>ValueFrom</c> names: <c>{"Ref": X}</c>, or <c>{"Fn::Sub": "${X}:json-key::"}</c>.</summary>
    private static string SecretSource(JsonElement valueFrom) =>
        valueFrom.TryGetProperty("Ref", out var reference)
            ? reference.GetString()!
            : SubVariable().Match(valueFrom.GetProperty("Fn::Sub").GetString()!).Groups["name"].Value;

    private JsonElement Container(string name) =>
        ContainerDefinitions().Single(container => container.GetProperty("Name").GetString() == name);

    /// <summary>The stack's tables: resource name, the name after the prefix, and the resource.</summary>
    private IEnumerable<(string Resource, string Suffix, JsonElement Table)> Tables() =>
        ResourcesOfType("AWS::DynamoDB::Table").Select(table => (table.Name,
            table.Value.GetProperty("Properties").GetProperty("TableName").GetProperty("Fn::Sub").GetString()!.Replace("${TablePrefix}", "", StringComparison.Ordinal),
            table.Value));

    /// <summary>Every ingress rule, inline or a resource of its own: the group it opens, the port (a number, or the parameter named), and the source group (null for an address range).</summary>
    private IEnumerable<(string Group, string Port, string ToPort, string? Source)> IngressRules()
    {
        static string Port(JsonElement port) => port.ValueKind == JsonValueKind.Object ? port.GetProperty("Ref").GetString()! : port.GetRawText();
        static string? Source(JsonElement rule) => rule.TryGetProperty("SourceSecurityGroupId", out var source) ? source.GetProperty("Ref").GetString() : null;
        foreach (var (name, group) in ResourcesOfType("AWS::EC2::SecurityGroup"))
        {
            if (group.GetProperty("Properties").TryGetProperty("SecurityGroupIngress", out var inline))
            {
                foreach (var rule in inline.EnumerateArray())
                {
                    yield return (name, Port(rule.GetProperty("FromPort")), Port(rule.GetProperty("ToPort")), Source(rule));
                }
            }
        }

        foreach (var (_, ingress) in ResourcesOfType("AWS::EC2::SecurityGroupIngress"))
        {
            var rule = ingress.GetProperty("Properties");
            yield return (rule.GetProperty("GroupId").GetProperty("Ref").GetString()!, Port(rule.GetProperty("FromPort")), Port(rule.GetProperty("ToPort")), Source(rule));
        }
    }

    private IEnumerable<JsonElement> ContainerDefinitions() =>
        ResourcesOfType("AWS::ECS::TaskDefinition").SelectMany(task => task.Value.GetProperty("Properties").GetProperty("ContainerDefinitions").EnumerateArray());

    private IEnumerable<(string Name, JsonElement Value)> ResourcesOfType(string type) =>
        Resources.EnumerateObject().Where(resource => resource.Value.GetProperty("Type").GetString() == type).Select(resource => (resource.Name, resource.Value));

    /// <summary>The statements of a role's inline policies, or of a managed policy.</summary>
    private static IEnumerable<JsonElement> PolicyStatements(JsonElement roleOrPolicy)
    {
        var properties = roleOrPolicy.GetProperty("Properties");
        return properties.TryGetProperty("Policies", out var policies)
            ? policies.EnumerateArray().SelectMany(policy => policy.GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray())
            : properties.TryGetProperty("PolicyDocument", out var document) ? document.GetProperty("Statement").EnumerateArray() : [];
    }

    /// <summary>Every statement the tasks' roles may get: the managed policies and the inline policies of the roles but the execution role.</summary>
    private IEnumerable<JsonElement> TaskPolicyStatements() =>
        ResourcesOfType("AWS::IAM::ManagedPolicy").Concat(ResourcesOfType("AWS::IAM::Role").Where(role => role.Name != "TaskExecutionRole"))
            .SelectMany(policy => PolicyStatements(policy.Value));

    /// <summary>Whether <paramref name="resource"/> is <c>{"Fn::GetAtt": [one of <paramref name="names"/>, "Arn"]}</c>.</summary>
    private static bool IsArnOf(JsonElement resource, IEnumerable<string> names) =>
        resource.ValueKind == JsonValueKind.Object && resource.TryGetProperty("Fn::GetAtt", out var arn)
            && names.Contains(arn[0].GetString()) && arn[1].GetString() == "Arn";

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
