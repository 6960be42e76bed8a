using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TestingHost;
using UserData.Grains.Common;
using UserData.Grains.Emails;
using UserData.Grains.Users;
using UserData.Silo.Configuration;
using UserData.Silo.Hosting;

namespace UserData.Grains.Tests.Grains;

/// <summary>
/// An Orleans test cluster (TestingHost, silos in this process) with the product's grains on the product's storage:
/// one SQLite file in a temp folder. Two clusters given the same folder share the store, as two clusters that both
/// believe they own a user would (a forced duplicate activation).
/// </summary>
public sealed class UserDataCluster : IAsyncDisposable
{
    private readonly string _folder;
    private readonly bool _ownsFolder;

    private UserDataCluster(string folder, bool ownsFolder, InProcessTestCluster cluster)
    {
        _folder = folder;
        _ownsFolder = ownsFolder;
        Cluster = cluster;
    }

    public InProcessTestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The folder holding the store, for a second cluster on the same store.</summary>
    public string Folder => _folder;

    public static RequestOrigin Request { get; } = new("test-request");

    /// <summary>
    /// The concurrency tests queue up to a thousand calls on one grain, and CI runs the test projects side by side on 2
    /// cores: a correct but slow run kept the last call waiting past Orleans' 30 s default once (28.6 s in the queue).
    /// A hang still fails, after this long.
    /// </summary>
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromMinutes(2);

    /// <param name="settings">Configuration of the silos besides storage (e.g. <c>Quota:MaxTasks</c>).</param>
    public static async Task<UserDataCluster> StartAsync(int silos = 1, string? sharedFolder = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var folder = sharedFolder ?? Directory.CreateTempSubdirectory("userdata-grains-").FullName;
        var storage = new StorageSettings { Sqlite = { Path = Path.Combine(folder, "userdata.db") } };
        var builder = new InProcessTestClusterBuilder((short)silos);

        // One service: clusters sharing a store are deployments of the same service (grain storage keys include it).
        builder.Options.ServiceId = "userdata-tests";
        builder.ConfigureHost(host => host.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>()));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddUserDataGrainServices(storage);
            silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = ResponseTimeout);
        });
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = ResponseTimeout));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new UserDataCluster(folder, sharedFolder is null, cluster);
    }

    public Task<CommandResult<UserProfile>> RegisterAsync(string email, IdempotencyKey? idempotency = null) =>
        Grains.GetGrain<IEmailGrain>(email).RegisterAsync(new Registration(Guid.NewGuid().ToString(), email, "HASH", null, Roles.User), idempotency, Request);

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        if (!_ownsFolder)
        {
            return;
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
