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

/// <summary>The same gateway on DynamoDB: a dynalite of the fixture's own, tables under a unique prefix.</summary>
public sealed class DynamoDbGateway : GatewayFixture
{
    private UserData.TestSupport.DynaliteServer? _dynalite;

    public override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        _dynalite = await UserData.TestSupport.DynaliteServer.StartAsync();
        return DynamoDbSettings(GatewayHost.BaseSettings(DataFolder), _dynalite.ServiceUrl);
    }

    public static Dictionary<string, string?> DynamoDbSettings(Dictionary<string, string?> settings, string serviceUrl)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Storage:Provider"] = "DynamoDB";
        settings["Storage:DynamoDB:ServiceUrl"] = serviceUrl;
        settings["Storage:DynamoDB:TablePrefix"] = $"t{Guid.NewGuid():N}-";
        return settings;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_dynalite is not null)
        {
            await _dynalite.DisposeAsync();
        }
    }
}
