using Microsoft.Extensions.DependencyInjection;
using UserData.JournalWriter;
using UserData.Runtime.Hosting;
using UserData.Runtime.Journal;
using UserData.Runtime.Testing;
using UserData.Runtime.Tests.Journal;

namespace UserData.Runtime.Tests.Hosting;

public sealed class SiloReadinessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly TempDirectory _folder = new();

    [Fact]
    public async Task A_local_silo_is_ready_while_it_runs_and_not_once_it_is_shutting_down()
    {
        await using var cluster = await TestCluster.StartAsync(1, services =>
        {
            services.AddSingleton<IJournalStorage>(_ => SqliteStores.Open(_folder.File("ready.db")));
            new GrainRuntimeBuilder(services).AddGrain<ITallyGrain, TallyGrain>();
        });
        var silo = cluster.Silos[0];
        var readiness = silo.Services.GetRequiredService<SiloReadiness>();

        Assert.Null(await readiness.CheckAsync(Timeout, CancellationToken.None));

        await silo.StopAsync();

        Assert.Equal("the silo is shutting down", await readiness.CheckAsync(Timeout, CancellationToken.None));
    }

    public void Dispose() => _folder.Dispose();
}
