using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using UserData.Providers.DynamoDB.GrainStorage;
using UserData.Providers.Tests.DynamoDB;
using UserData.TestSupport;

namespace UserData.Providers.Tests.GrainStorage;

/// <summary>The grain storage contract on a DynamoDB Local table of its own per test, and what is DynamoDB's alone.</summary>
public sealed class DynamoDBGrainStorageTests : GrainStorageContract
{
    private const int ItemLimit = 400 * 1024;

    private readonly string _table = DynamoDbLocal.NewTablePrefix() + "grain-state";
    private AmazonDynamoDBClient _client = null!;
    private string _serviceUrl = null!;

    public override async Task InitializeAsync()
    {
        _serviceUrl = (await DynamoDbLocal.Shared).ServiceUrl;
        _client = await DynamoDBLocalClient.CreateAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _client.Dispose();
    }

    [Fact]
    public async Task A_state_over_the_item_limit_is_refused_naming_the_grain_and_its_size_and_nothing_is_stored()
    {
        var storage = await StartStorageAsync();
        var grainId = NewGrainId();
        var state = new GrainState<ClaimRecord>(new ClaimRecord { Owner = new string('x', ItemLimit) });

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => storage.WriteStateAsync(StateName, grainId, state));

        Assert.Contains(grainId.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{StateName}'", error.Message, StringComparison.Ordinal);
        var size = Assert.IsType<int>(error.ActualValue);
        Assert.True(size > ItemLimit);
        Assert.Contains($"{size} bytes", error.Message, StringComparison.Ordinal);
        Assert.Null(state.ETag);
        Assert.Null(await ReadStoredAsync(ServiceId, grainId, StateName));
    }

    [Fact]
    public async Task A_state_just_under_the_item_limit_is_stored_whole()
    {
        var storage = await StartStorageAsync();
        var grainId = NewGrainId();
        var claim = new ClaimRecord { Owner = new string('x', ItemLimit - 1024) };

        await storage.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(claim));

        Assert.Equal(claim, (await ReadAsync(storage, grainId)).State);
    }

    [Fact]
    public async Task With_CreateTables_off_a_missing_table_stops_the_start_naming_table_and_setting_and_is_not_created()
    {
        await using var host = new StorageHost(services => AddStorage(services, new StorageSettings()), configure: Options(options => options.CreateTables = false));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(host.StartAsync);

        Assert.Contains(_table, error.Message, StringComparison.Ordinal);
        Assert.Contains("CreateTables", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => _client.DescribeTableAsync(_table));
    }

    [Fact]
    public async Task With_CreateTables_off_an_existing_table_is_used()
    {
        var creator = await StartStorageAsync();
        var grainId = NewGrainId();
        await creator.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(new ClaimRecord { Owner = "written" }));

        var host = await StartHostAsync(configure: Options(options => options.CreateTables = false));

        Assert.Equal("written", (await ReadAsync(host.Storage, grainId)).State?.Owner);
    }

    [Fact]
    public async Task An_injected_client_is_used_and_left_open()
    {
        // The options point at a port nothing listens on: only the injected client reaches DynamoDB Local.
        using var injected = await DynamoDBLocalClient.CreateAsync();
        var host = await StartHostAsync(configure: services =>
        {
            services.AddSingleton<IAmazonDynamoDB>(injected);
            Options(options => options.ServiceUrl = "http://127.0.0.1:9")(services);
        });
        var grainId = NewGrainId();

        await host.Storage.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(new ClaimRecord { Owner = "via injected client" }));
        await host.StopAsync();

        Assert.Equal("via injected client", JsonDocumentOwner((await ReadStoredAsync(ServiceId, grainId, StateName))?.Json));
        await injected.DescribeTableAsync(_table);
    }

    [Fact]
    public async Task The_health_check_is_unhealthy_when_the_table_is_gone()
    {
        var host = await StartHostAsync();
        await _client.DeleteTableAsync(_table);

        var report = await host.CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("has space")]
    public async Task An_invalid_table_name_stops_the_start_with_a_message_naming_the_setting(string table)
    {
        await using var host = new StorageHost(services => services.AddDynamoDBGrainStorage(StorageName, options => options.TableName = table));

        var error = Assert.Throws<OrleansConfigurationException>(host.Validate);

        Assert.Contains($"'{StorageName}': TableName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_id_with_a_slash_stops_the_start_as_it_would_make_item_keys_ambiguous()
    {
        await using var host = new StorageHost(services => AddStorage(services, new StorageSettings()), serviceId: "team/userdata");

        var error = Assert.Throws<OrleansConfigurationException>(host.Validate);

        Assert.Contains("ServiceId", error.Message, StringComparison.Ordinal);
        Assert.Contains("team/userdata", error.Message, StringComparison.Ordinal);
    }

    protected override void AddStorage(IServiceCollection services, StorageSettings settings) =>
        services.AddDynamoDBGrainStorage(StorageName, options =>
        {
            options.ServiceUrl = _serviceUrl;
            options.Region = DynamoDbLocal.Region;
            options.TableName = _table;
            options.DeleteStateOnClear = settings.DeleteStateOnClear;
            if (settings.Serializer is not null)
            {
                options.GrainStorageSerializer = settings.Serializer;
            }
        });

    protected override async Task<StoredRecord?> ReadStoredAsync(string serviceId, GrainId grainId, string stateName)
    {
        var response = await _client.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = new() { ["pk"] = new AttributeValue($"{serviceId}/{grainId}"), ["sk"] = new AttributeValue(stateName) },
            ConsistentRead = true,
        });
        if (response.Item is not { Count: > 0 } item)
        {
            return null;
        }

        // The state is a string attribute (readable JSON), never binary.
        var data = item.GetValueOrDefault("data");
        Assert.True(data is null || data.S is not null);
        return new StoredRecord(item["etag"].S, data?.S);
    }

    private static string? JsonDocumentOwner(string? json) =>
        json is null ? null : System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("Owner").GetString();

    /// <summary>Changes the options after <see cref="AddStorage"/> set them.</summary>
    private static Action<IServiceCollection> Options(Action<DynamoDBGrainStorageOptions> change) =>
        services => services.PostConfigure(StorageName, change);
}
