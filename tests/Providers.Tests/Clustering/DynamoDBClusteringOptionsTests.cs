using Microsoft.Extensions.Options;
using Orleans.Runtime;
using UserData.Providers.DynamoDB.Clustering;

namespace UserData.Providers.Tests.Clustering;

public sealed class DynamoDBClusteringOptionsTests
{
    [Fact]
    public void The_default_table_is_userdata_membership_and_is_valid()
    {
        var options = new DynamoDBClusteringOptions();

        new DynamoDBClusteringOptionsValidator(Options.Create(options)).ValidateConfiguration();

        Assert.Equal("userdata-membership", options.TableName);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("has space")]
    [InlineData("")]
    public void An_invalid_table_name_is_refused_naming_the_setting(string tableName)
    {
        var options = new DynamoDBClusteringOptions { TableName = tableName, TableNameSetting = "Storage__DynamoDB__TablePrefix" };

        var error = Assert.Throws<OrleansConfigurationException>(() => new DynamoDBClusteringOptionsValidator(Options.Create(options)).ValidateConfiguration());

        Assert.Contains("Storage__DynamoDB__TablePrefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_service_url_is_refused_naming_the_setting()
    {
        var options = new DynamoDBClusteringOptions { ServiceUrl = "localhost:8000" };

        var error = Assert.Throws<OrleansConfigurationException>(() => new DynamoDBClusteringOptionsValidator(Options.Create(options)).ValidateConfiguration());

        Assert.Contains("ServiceUrl", error.Message, StringComparison.Ordinal);
    }
}
