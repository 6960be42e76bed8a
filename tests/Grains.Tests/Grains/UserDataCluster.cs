using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using UserData.Grains.Common;
using UserData.Grains.Emails;
using UserData.Grains.Users;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;
using UserData.Runtime.Journal;
using UserData.Runtime.Storage;
using UserData.Runtime.Testing;

namespace UserData.Grains.Tests.Grains;

/// <summary>A test cluster of silos with the user and email grains on one SQLite file in a fresh temp folder.</summary>
public sealed class UserDataCluster : IAsyncDisposable
{
    private readonly string _folder;

    private UserDataCluster(string folder, TestCluster cluster)
    {
        _folder = folder;
        Cluster = cluster;
    }

    public TestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.GrainFactory;

    public IJournalStorage Storage => Cluster.Silos[0].Services.GetRequiredService<IJournalStorage>();

    public static RequestOrigin Request { get; } = new("test-request");

    public static async Task<UserDataCluster> StartAsync(int silos = 1, Action<IServiceCollection>? configure = null)
    {
        var folder = Directory.CreateTempSubdirectory("userdata-grains-").FullName;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Sqlite:Path"] = Path.Combine(folder, "userdata.db") })
            .Build();
        var cluster = await TestCluster.StartAsync(silos, services =>
        {
            services.AddSingleton(TimeProvider.System);
            services.AddJournalStorage(configuration);
            services.AddGrainRuntime().AddGrain<IUserGrain, UserGrain>().AddGrain<IEmailGrain, EmailGrain>();
            configure?.Invoke(services);
        });
        return new UserDataCluster(folder, cluster);
    }

    public Task<CommandResult<UserProfile>> RegisterAsync(string email, IdempotencyKey? idempotency = null) =>
        Grains.GetGrain<IEmailGrain>(email).RegisterAsync(new Registration(Guid.NewGuid().ToString(), email, "HASH", null, Roles.User), idempotency, Request);

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
