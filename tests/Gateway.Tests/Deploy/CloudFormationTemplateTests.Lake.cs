using System.Globalization;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using UserData.Lake.Export;
using UserData.Lake.Rows;
using UserData.Lake.Storage;

namespace UserData.Gateway.Tests.Deploy;

/// <summary>The data lake's part of the stack (issue 12): checked against itself and against what the lake's worker writes.</summary>
public sealed partial class CloudFormationTemplateTests
{
    private static readonly string[] LakeResources =
        ["LakeBucket", "LakeBucketPolicy", "ChangeFeedTable", "LakeExportPolicy", "LakeDatabase", "LakeEventsTable", "LakeTasksTable", "LakeAthenaWorkGroup"];

    /// <summary>The key prefix of the lake in its bucket, as the silos are told it.</summary>
    private string LakePrefix => Environment(Container("silo"), "Lake__S3Prefix");

    [Fact]
    public void The_lake_is_one_switch_on_by_default_and_only_the_silos_run_its_worker()
    {
        var parameter = Template.GetProperty("Parameters").GetProperty("LakeEnabled");
        Assert.Equal(["true", "false"], Strings(parameter.GetProperty("AllowedValues")));
        Assert.Equal("true", parameter.GetProperty("Default").GetString());
        Assert.Equal(
            """{"Fn::Equals":[{"Ref":"LakeEnabled"},"true"]}""",
            JsonSerializer.Serialize(Template.GetProperty("Conditions").GetProperty("LakeIsEnabled")));
        Assert.All(LakeResources, name => Assert.Equal("LakeIsEnabled", Resources.GetProperty(name).GetProperty("Condition").GetString()));

        var silo = Container("silo");
        Assert.Equal("LakeEnabled", EnvironmentRef(silo, "Lake__Enabled"));
        Assert.Equal("""{"Fn::If":["LakeIsEnabled",{"Ref":"LakeBucket"},""]}""", JsonSerializer.Serialize(EnvironmentValue(silo, "Lake__S3Bucket")));
        Assert.Equal("AWS::Region", EnvironmentRef(silo, "Lake__S3Region"));
        Assert.Matches("^[a-z0-9-]+/$", LakePrefix);

        // The pure gateways host no silo, so no worker: they get none of the lake's settings.
        Assert.Equal("false", Environment(Container("gateway"), "Gateway__CoHostSilo"));
        Assert.DoesNotContain(
            Container("gateway").GetProperty("Environment").EnumerateArray(),
            variable => variable.GetProperty("Name").GetString()!.StartsWith("Lake__", StringComparison.Ordinal));
    }

    [Fact]
    public void The_lake_bucket_is_encrypted_private_reached_only_over_tls_and_kept_unversioned_so_erasure_removes_rows()
    {
        var bucket = Resources.GetProperty("LakeBucket");
        var properties = bucket.GetProperty("Properties");
        Assert.Equal("Retain", bucket.GetProperty("DeletionPolicy").GetString());
        Assert.Equal("AES256", properties.GetProperty("BucketEncryption").GetProperty("ServerSideEncryptionConfiguration")[0]
            .GetProperty("ServerSideEncryptionByDefault").GetProperty("SSEAlgorithm").GetString());
        var publicAccess = properties.GetProperty("PublicAccessBlockConfiguration");
        Assert.All(
            ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"],
            setting => Assert.True(publicAccess.GetProperty(setting).GetBoolean(), setting));
        Assert.Equal("BucketOwnerEnforced", properties.GetProperty("OwnershipControls").GetProperty("Rules")[0].GetProperty("ObjectOwnership").GetString());

        // A noncurrent version would keep an erased user's rows after compaction rewrote the file without them.
        Assert.False(properties.TryGetProperty("VersioningConfiguration", out _));

        var policy = Resources.GetProperty("LakeBucketPolicy").GetProperty("Properties");
        Assert.Equal("LakeBucket", policy.GetProperty("Bucket").GetProperty("Ref").GetString());
        var statement = Assert.Single(policy.GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray());
        Assert.Equal("Deny", statement.GetProperty("Effect").GetString());
        Assert.Equal("*", statement.GetProperty("Principal").GetString());
        Assert.Equal("s3:*", statement.GetProperty("Action").GetString());
        Assert.Equal("false", statement.GetProperty("Condition").GetProperty("Bool").GetProperty("aws:SecureTransport").GetString());
        Assert.Equal(
            """[{"Fn::GetAtt":["LakeBucket","Arn"]},{"Fn::Sub":"${LakeBucket.Arn}/*"}]""",
            JsonSerializer.Serialize(statement.GetProperty("Resource")));
    }

    [Fact]
    public void Only_the_silos_role_reads_the_journals_stream_and_writes_the_lakes_prefix_with_the_actions_the_code_calls()
    {
        Assert.Equal("GatewayTaskRole", TaskDefinitionRole("GatewayTaskDefinition"));
        Assert.Equal("SiloTaskRole", TaskDefinitionRole("SiloTaskDefinition"));
        Assert.Equal("""[{"Ref":"TablesPolicy"}]""", JsonSerializer.Serialize(RoleProperties("GatewayTaskRole").GetProperty("ManagedPolicyArns")));
        Assert.Equal(
            """[{"Ref":"TablesPolicy"},{"Fn::If":["LakeIsEnabled",{"Ref":"LakeExportPolicy"},{"Ref":"AWS::NoValue"}]}]""",
            JsonSerializer.Serialize(RoleProperties("SiloTaskRole").GetProperty("ManagedPolicyArns")));
        Assert.All(["GatewayTaskRole", "SiloTaskRole"], role => Assert.Empty(PolicyStatements(Resources.GetProperty(role))));

        var statements = PolicyStatements(Resources.GetProperty("LakeExportPolicy")).ToDictionary(statement => statement.GetProperty("Sid").GetString()!);
        Assert.Equal(["ChangeFeedCheckpoints", "JournalStream", "LakeListing", "LakeObjects"], statements.Keys.Order());
        Assert.All(statements.Values, statement => Assert.Equal("Allow", statement.GetProperty("Effect").GetString()));

        // The stream ARN, not the table's: ListStreams (which takes no resource) is not needed, the feed finds the stream with DescribeTable.
        Assert.Equal(CodeFacts.DynamoDbStreamsActions.Order(), Strings(statements["JournalStream"].GetProperty("Action")).Order());
        Assert.Equal("""[{"Fn::GetAtt":["JournalTable","StreamArn"]}]""", JsonSerializer.Serialize(statements["JournalStream"].GetProperty("Resource")));
        Assert.DoesNotContain("dynamodb:ListStreams", CodeFacts.DynamoDbStreamsActions);

        Assert.Equal(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], Strings(statements["LakeObjects"].GetProperty("Action")).Order());
        Assert.Equal(
            $$"""[{"Fn::Sub":"arn:${AWS::Partition}:s3:::${LakeBucket}/{{LakePrefix}}*"}]""",
            JsonSerializer.Serialize(statements["LakeObjects"].GetProperty("Resource")));
        Assert.Equal(["s3:ListBucket"], Strings(statements["LakeListing"].GetProperty("Action")));
        Assert.Equal("""[{"Fn::GetAtt":["LakeBucket","Arn"]}]""", JsonSerializer.Serialize(statements["LakeListing"].GetProperty("Resource")));
        Assert.Equal(
            $$$"""{"StringLike":{"s3:prefix":["{{{LakePrefix}}}*"]}}""",
            JsonSerializer.Serialize(statements["LakeListing"].GetProperty("Condition")));
    }

    [Fact]
    public async Task The_glue_tables_have_the_columns_and_types_of_the_parquet_files_the_worker_writes()
    {
        var events = GlueTable("LakeEventsTable", "events");
        var tasks = GlueTable("LakeTasksTable", "tasks");
        Assert.Equal(await ParquetColumnsAsync([new EventRow()]), GlueColumns(events.GetProperty("StorageDescriptor").GetProperty("Columns")));
        Assert.Equal(await ParquetColumnsAsync([new TaskRow()]), GlueColumns(tasks.GetProperty("StorageDescriptor").GetProperty("Columns")));

        var bucket = "s3://${LakeBucket}/" + LakePrefix;
        Assert.Equal(bucket + BatchFiles.EventsFolder, events.GetProperty("StorageDescriptor").GetProperty("Location").GetProperty("Fn::Sub").GetString());
        Assert.Equal(
            bucket + BatchFiles.TasksKey[..(BatchFiles.TasksKey.LastIndexOf('/') + 1)],
            tasks.GetProperty("StorageDescriptor").GetProperty("Location").GetProperty("Fn::Sub").GetString());
        Assert.False(tasks.TryGetProperty("PartitionKeys", out _));

        // events/ is partitioned the way the worker names its folders (Hive-style key=value), projected so no crawler is needed;
        // a date column, as DuckDB reads the same folders, so one SQL text filters both.
        var partition = BatchFiles.PartitionOf(new DateTime(2026, 1, 31, 23, 59, 59, DateTimeKind.Utc))[BatchFiles.EventsFolder.Length..];
        var (key, value) = (partition[..partition.IndexOf('=', StringComparison.Ordinal)], partition[(partition.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        Assert.Equal([(key, "date")], GlueColumns(events.GetProperty("PartitionKeys")));
        var projection = events.GetProperty("Parameters");
        Assert.Equal("true", projection.GetProperty("projection.enabled").GetString());
        Assert.Equal("date", projection.GetProperty($"projection.{key}.type").GetString());
        Assert.Equal(value, new DateTime(2026, 1, 31).ToString(projection.GetProperty($"projection.{key}.format").GetString(), CultureInfo.InvariantCulture));
        Assert.Equal("DAYS", projection.GetProperty($"projection.{key}.interval.unit").GetString());
        Assert.EndsWith(",NOW", projection.GetProperty($"projection.{key}.range").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            bucket + BatchFiles.EventsFolder + $"{key}=${{!{key}}}/",
            projection.GetProperty("storage.location.template").GetProperty("Fn::Sub").GetString());

        foreach (var table in new[] { events, tasks })
        {
            Assert.Equal("EXTERNAL_TABLE", table.GetProperty("TableType").GetString());
            Assert.Equal("parquet", table.GetProperty("Parameters").GetProperty("classification").GetString());
            Assert.Equal(
                "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                table.GetProperty("StorageDescriptor").GetProperty("SerdeInfo").GetProperty("SerializationLibrary").GetString());
        }
    }

    [Fact]
    public void Analysts_query_in_an_athena_workgroup_that_enforces_encrypted_expiring_results_outside_the_lakes_prefix()
    {
        var configuration = Resources.GetProperty("LakeAthenaWorkGroup").GetProperty("Properties").GetProperty("WorkGroupConfiguration");
        Assert.True(configuration.GetProperty("EnforceWorkGroupConfiguration").GetBoolean());
        Assert.Equal("AthenaBytesScannedCutoffPerQuery", configuration.GetProperty("BytesScannedCutoffPerQuery").GetProperty("Ref").GetString());
        var results = configuration.GetProperty("ResultConfiguration");
        Assert.Equal("SSE_S3", results.GetProperty("EncryptionConfiguration").GetProperty("EncryptionOption").GetString());
        var output = results.GetProperty("OutputLocation").GetProperty("Fn::Sub").GetString()!;
        Assert.StartsWith("s3://${LakeBucket}/", output, StringComparison.Ordinal);
        var resultsPrefix = output["s3://${LakeBucket}/".Length..];
        Assert.False(resultsPrefix.StartsWith(LakePrefix, StringComparison.Ordinal) || LakePrefix.StartsWith(resultsPrefix, StringComparison.Ordinal));

        // Results hold query output (user ids, task names): they expire instead of outliving an erasure.
        var expiry = Assert.Single(
            Resources.GetProperty("LakeBucket").GetProperty("Properties").GetProperty("LifecycleConfiguration").GetProperty("Rules").EnumerateArray(),
            rule => rule.TryGetProperty("Prefix", out var prefix) && prefix.GetString() == resultsPrefix);
        Assert.InRange(expiry.GetProperty("ExpirationInDays").GetInt32(), 1, 30);
    }

    /// <summary>The columns of a Parquet file the lake's own writer makes from <paramref name="rows"/>, as Glue (Hive) names their types.</summary>
    private static async Task<List<(string Name, string Type)>> ParquetColumnsAsync<T>(IReadOnlyCollection<T> rows)
        where T : class, new()
    {
        var folder = Directory.CreateTempSubdirectory("userdata-glue-schema-");
        try
        {
            var storage = new FolderLakeStorage(folder.FullName);
            await ParquetFiles.WriteAsync(storage, "schema.parquet", rows, CancellationToken.None);
            await using var file = await storage.OpenReadAsync("schema.parquet", CancellationToken.None);
            await using var reader = await ParquetReader.CreateAsync(file);
            return [.. reader.Schema.Fields.Select(field => (field.Name, HiveType(field)))];
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string HiveType(Field field) => field switch
    {
        ListField list => $"array<{HiveType(list.Item)}>",
        DataField data => (Nullable.GetUnderlyingType(data.ClrType) ?? data.ClrType) switch
        {
            var type when type == typeof(string) || type == typeof(ReadOnlyMemory<char>) => "string", // Parquet.Net reads UTF-8 text back as memory
            var type when type == typeof(long) => "bigint",
            var type when type == typeof(int) => "int",
            var type when type == typeof(double) => "double",
            var type when type == typeof(DateTime) => "timestamp",
            var type => throw new InvalidOperationException($"The Parquet column {field.Name} is a {type}: give it its Glue type here and in the stack."),
        },
        _ => throw new InvalidOperationException($"The Parquet column {field.Name} is a {field.SchemaType}: give it its Glue type here and in the stack."),
    };

    private static List<(string Name, string Type)> GlueColumns(JsonElement columns) =>
        [.. columns.EnumerateArray().Select(column => (column.GetProperty("Name").GetString()!, column.GetProperty("Type").GetString()!))];

    private JsonElement GlueTable(string resource, string name)
    {
        var input = Resources.GetProperty(resource).GetProperty("Properties").GetProperty("TableInput");
        Assert.Equal(name, input.GetProperty("Name").GetString());
        Assert.Equal("LakeDatabase", Resources.GetProperty(resource).GetProperty("Properties").GetProperty("DatabaseName").GetProperty("Ref").GetString());
        return input;
    }

    private string TaskDefinitionRole(string taskDefinition) =>
        Resources.GetProperty(taskDefinition).GetProperty("Properties").GetProperty("TaskRoleArn").GetProperty("Fn::GetAtt")[0].GetString()!;

    private JsonElement RoleProperties(string role) => Resources.GetProperty(role).GetProperty("Properties");
}
