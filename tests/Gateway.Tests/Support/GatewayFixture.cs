namespace UserData.Gateway.Tests.Support;

/// <summary>One gateway shared by the tests of a class; each test uses its own users, so they never interfere.</summary>
public abstract class GatewayFixture : IAsyncLifetime
{
    public string DataFolder { get; } = Directory.CreateTempSubdirectory("userdata-gateway-").FullName;

    public GatewayHost Host { get; private set; } = null!;

    public Api Api { get; private set; } = null!;

    /// <summary>The provider-specific settings (storage) on top of <see cref="GatewayHost.BaseSettings"/>.</summary>
    public abstract Task<Dictionary<string, string?>> SettingsAsync();

    public virtual async Task InitializeAsync()
    {
        Host = await GatewayHost.StartAsync(await SettingsAsync());
        Api = new Api(Host.Client);
    }

    public virtual async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class SqliteGateway : GatewayFixture
{
    public override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(GatewayHost.BaseSettings(DataFolder));
}

/// <summary>The same gateway on DynamoDB: the test run's DynamoDB Local, tables under a prefix of the fixture's own.</summary>
public sealed class DynamoDbGateway : GatewayFixture
{
    public override async Task<Dictionary<string, string?>> SettingsAsync() =>
        DynamoDbSettings(GatewayHost.BaseSettings(DataFolder), (await UserData.TestSupport.DynamoDbLocal.Shared).ServiceUrl);

    public static Dictionary<string, string?> DynamoDbSettings(Dictionary<string, string?> settings, string serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Storage:Provider"] = "DynamoDB";
        settings["Storage:DynamoDB:ServiceUrl"] = serviceUrl;
        settings["Storage:DynamoDB:TablePrefix"] = UserData.TestSupport.DynamoDbLocal.NewTablePrefix();
        return settings;
    }
}
