using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;
using UserData.Providers.Journal;

namespace UserData.Providers.Tests.Journal;

/// <summary>An Orleans test cluster of one silo whose journal is on a test's backend; two of them on one backend are two clusters on one store.</summary>
public sealed class JournalCluster : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;

    private JournalCluster(InProcessTestCluster cluster) => _cluster = cluster;

    public static async Task<JournalCluster> StartAsync(
        JournalBackend backend, Action<IEventJournalOptions>? configure = null, Action<ISiloBuilder>? configureSilo = null)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ClusterId = $"journal-{Guid.NewGuid():N}";
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            backend.AddJournal(silo, options =>
            {
                options.ErasesHistory = TallyEvent.ErasesHistory;
                configure?.Invoke(options);
            });
            configureSilo?.Invoke(silo);
        });
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return new JournalCluster(cluster);
    }

    public ITallyGrain Tally(string key) => _cluster.Client.GetGrain<ITallyGrain>(key);

    /// <summary>Deactivates the grain (its journal writes the deactivation snapshot) and waits until it is gone.</summary>
    public Task DeactivateAsync(IAddressable grain) => _cluster.DeactivateAsync(grain);

    public T GetSiloService<T>()
        where T : notnull => _cluster.GetSiloServiceProvider().GetRequiredService<T>();

    /// <summary>Stops the silo gracefully: grains deactivate, then the journal's store stops.</summary>
    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();
}
