using UserData.Cluster.Tests.Support;
using UserData.TestSupport;
using Xunit.Abstractions;

namespace UserData.Cluster.Tests;

/// <summary>
/// Orleans' activation repartitioner in the product's cluster. The pure gateway sends all calls to a user's grain through
/// one silo's gateway, chosen without regard to where the grain lives (registration places it beside the email grain),
/// so with three silos about two users in three start with every read forwarded to another silo. The silos move each
/// activation to the silo its calls enter through.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RepartitioningTests(ClusterFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Users = 24;
    private const int ReadsPerProbe = 5;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan CountersDeadline = TimeSpan.FromSeconds(10);

    private LocalCluster Cluster => fixture.Cluster;

    public Task InitializeAsync() => fixture.EnsureSilosAsync();

    public Task DisposeAsync()
    {
        output.WriteLine(Cluster.Report());
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Each_users_grain_moves_to_the_silo_the_pure_gateway_sends_its_calls_through_and_reads_stop_being_forwarded()
    {
        var users = await ApiUsers.RegisterAsync(Cluster.Http, "repartition", Users);

        var round = 0;
        await Eventually.TrueAsync(
            async () =>
            {
                var forwarded = 0;
                foreach (var user in users)
                {
                    forwarded += await IsForwardedAsync(user) ? 1 : 0;
                }

                output.WriteLine($"round {++round}: the reads of {forwarded} of {Users} users forwarded between silos");
                return forwarded == 0;
            },
            Deadline,
            "every user's reads served by the silo they enter through");
    }

    /// <summary>
    /// Reads the user's profile a few times and tells whether the silo whose gateway received the calls differs from the
    /// silo that ran them (read from the silos' counters).
    /// </summary>
    private async Task<bool> IsForwardedAsync(ApiUser user)
    {
        var silos = Cluster.Silos;
        var before = await Task.WhenAll(silos.Select(SiloCounters.ReadAsync));
        for (var i = 0; i < ReadsPerProbe; i++)
        {
            using var request = ApiUsers.Request(HttpMethod.Get, "/api/v1/me", user.AccessToken);
            using var response = await Cluster.Http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        var counted = Array.Empty<SiloCounters>();
        await Eventually.TrueAsync(
            async () =>
            {
                counted = [.. (await Task.WhenAll(silos.Select(SiloCounters.ReadAsync))).Select((after, index) => after.Since(before[index]))];
                return counted.Sum(silo => silo.GatewayReceived) >= ReadsPerProbe && counted.Sum(silo => silo.UserGrainCalls) >= ReadsPerProbe;
            },
            CountersDeadline,
            $"the silos' counters show {user.Email}'s {ReadsPerProbe} reads");
        var entry = Array.IndexOf(counted, counted.MaxBy(silo => silo.GatewayReceived));
        var host = Array.IndexOf(counted, counted.MaxBy(silo => silo.UserGrainCalls));
        return entry != host;
    }
}
