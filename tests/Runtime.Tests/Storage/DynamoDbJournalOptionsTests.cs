using System.ComponentModel.DataAnnotations;
using Amazon.DynamoDBv2;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using UserData.Runtime.Storage.DynamoDB;

namespace UserData.Runtime.Tests.Storage;

public sealed class DynamoDbJournalOptionsTests
{
    [Fact]
    public void Defaults_match_the_documented_configuration()
    {
        var options = new DynamoDbJournalOptions();

        Assert.Null(options.ServiceUrl);
        Assert.Equal("us-east-1", options.Region);
        Assert.Equal("userdata-", options.TablePrefix);
        Assert.True(options.CreateTables);
        Assert.Empty(Errors(options));
    }

    [Fact]
    public void Options_bind_from_the_Storage_DynamoDB_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DynamoDB:ServiceUrl"] = "http://127.0.0.1:4567",
            ["Storage:DynamoDB:Region"] = "eu-west-3",
            ["Storage:DynamoDB:TablePrefix"] = "prod.",
            ["Storage:DynamoDB:CreateTables"] = "false",
        }).Build();

        var options = configuration.GetSection(DynamoDbJournalOptions.SectionName).Get<DynamoDbJournalOptions>();

        Assert.NotNull(options);
        Assert.Equal(("http://127.0.0.1:4567", "eu-west-3", "prod.", false), (options.ServiceUrl, options.Region, options.TablePrefix, options.CreateTables));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("Team_1.user-data-")]
    public void Prefixes_that_make_valid_table_names_are_accepted(string prefix)
    {
        Assert.Empty(Errors(new DynamoDbJournalOptions { TablePrefix = prefix }));
    }

    [Theory]
    [InlineData("user data-")]
    [InlineData("userdata/")]
    [InlineData("données-")]
    public void Prefixes_with_characters_table_names_cannot_hold_are_refused(string prefix)
    {
        Assert.Equal([nameof(DynamoDbJournalOptions.TablePrefix)], Errors(new DynamoDbJournalOptions { TablePrefix = prefix }));
    }

    [Fact]
    public void A_prefix_that_makes_table_names_longer_than_255_characters_is_refused()
    {
        var longest = new DynamoDbJournalOptions { TablePrefix = new string('p', 255 - "snapshots".Length) };
        var tooLong = new DynamoDbJournalOptions { TablePrefix = longest.TablePrefix + "p" };

        Assert.Empty(Errors(longest));
        Assert.Equal([nameof(DynamoDbJournalOptions.TablePrefix)], Errors(tooLong));
    }

    [Theory]
    [InlineData("localhost:8000")]
    [InlineData("ftp://127.0.0.1")]
    [InlineData("/relative")]
    public void A_service_url_must_be_an_absolute_http_url(string url)
    {
        Assert.Equal([nameof(DynamoDbJournalOptions.ServiceUrl)], Errors(new DynamoDbJournalOptions { ServiceUrl = url }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("US East 1")]
    public void A_region_must_be_a_region_name(string region)
    {
        Assert.Equal([nameof(DynamoDbJournalOptions.Region)], Errors(new DynamoDbJournalOptions { Region = region }));
    }

    [Fact]
    public void The_storage_refuses_invalid_options()
    {
        using var client = new AmazonDynamoDBClient(new Amazon.Runtime.BasicAWSCredentials("test", "test"), new AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:9" });
        var options = new DynamoDbJournalOptions { TablePrefix = "user data-" };

        var refused = Assert.Throws<ValidationException>(() => new DynamoDbJournalStorage(client, options, NullLogger<DynamoDbJournalStorage>.Instance));

        Assert.Contains("TablePrefix", refused.Message, StringComparison.Ordinal);
    }

    private static List<string> Errors(DynamoDbJournalOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.SelectMany(result => result.MemberNames).ToList();
    }
}
