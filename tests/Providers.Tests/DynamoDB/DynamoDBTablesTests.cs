using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging.Abstractions;
using UserData.Providers.DynamoDB;
using UserData.TestSupport;

namespace UserData.Providers.Tests.DynamoDB;

public sealed class DynamoDBTablesTests
{
    private sealed class Options : DynamoDBProviderOptions;

    [Fact]
    public async Task Creates_a_missing_table_and_waits_until_it_is_active()
    {
        using var client = await DynamoDBLocalClient.CreateAsync();
        var table = DynamoDbLocal.NewTablePrefix() + "created";

        await DynamoDBTables.EnsureAsync(client, Definition(table), new Options(), NullLogger.Instance, CancellationToken.None);
        await DynamoDBTables.EnsureAsync(client, Definition(table), new Options(), NullLogger.Instance, CancellationToken.None);

        var described = await client.DescribeTableAsync(table);
        Assert.Equal(TableStatus.ACTIVE, described.Table.TableStatus);
    }

    [Fact]
    public async Task Never_creates_a_table_when_creation_is_off_and_names_the_setting()
    {
        using var client = await DynamoDBLocalClient.CreateAsync();
        var table = DynamoDbLocal.NewTablePrefix() + "missing";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DynamoDBTables.EnsureAsync(
            client, Definition(table), new Options { CreateTables = false, CreateTablesSetting = "Storage__DynamoDB__CreateTables" }, NullLogger.Instance, CancellationToken.None));

        Assert.Contains(table, error.Message, StringComparison.Ordinal);
        Assert.Contains("Storage__DynamoDB__CreateTables", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.DescribeTableAsync(table));
    }

    private static CreateTableRequest Definition(string table) => new()
    {
        TableName = table,
        AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement("pk", KeyType.HASH)],
    };
}
