using UserData.TestSupport;

namespace UserData.Cluster.Tests.Support;

/// <summary>The tests that share one running cluster; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>
/// One <see cref="LocalCluster"/> for the whole collection, started once (DynamoDB Local, 3 silo processes, a pure
/// gateway, with the test membership timings), and the users the write loads write for.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int SiloCount = 3;
    public const int UserCount = 100;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private LocalCluster? _cluster;
    private IReadOnlyList<ApiUser>? _users;

    public LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");

    public IReadOnlyList<ApiUser> Users => _users ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _cluster = await LocalCluster.CreateAsync(ClusterTimings.Test);
        try
        {
            await _cluster.StartAsync(SiloCount);
            _users = await ApiUsers.RegisterAsync(_cluster.Http, "load", UserCount);
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException($"The cluster did not start:\n{_cluster.Report()}", exception);
        }
    }

    /// <summary>
    /// Brings the cluster back to <see cref="SiloCount"/> running silos after a test stopped one, and waits until the
    /// membership lists exactly those as Active (a killed silo is first declared dead).
    /// </summary>
    public async Task EnsureSilosAsync()
    {
        while (Cluster.Silos.Count < SiloCount)
        {
            await Cluster.StartSiloAsync();
        }

        await Eventually.TrueAsync(
            async () =>
            {
                var active = await Cluster.ActiveSilosAsync();
                return active.Count == Cluster.Silos.Count && Cluster.Silos.All(silo => active.Any(silo.Is));
            },
            Deadline,
            $"the {SiloCount} running silos, and only they, are Active");
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
