using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;
using UserData.Runtime.Tests.Grains;
using UserData.Runtime.Tests.Storage;
using UserData.TestSupport;

namespace UserData.Runtime.Tests.Cluster;

/// <summary>A lease renewal that succeeds while the silo is fencing itself must leave it serving grains, not Active but paused.</summary>
[Collection(ClusterTimingCollection.Name)]
public sealed class SelfFenceRaceTests(DynamoDbFixture dynamo) : IClassFixture<DynamoDbFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_renewal_that_lands_while_the_silo_fences_itself_leaves_it_taking_activations()
    {
        var table = new HeldRenewalTable(new DynamoDbMembershipTable(
            dynamo.Client, DynamoDbFixture.UniquePrefix() + "membership", "test-" + Guid.NewGuid().ToString("N")[..8], createTables: true,
            NullLogger<DynamoDbMembershipTable>.Instance));
        using var fenceLog = new FenceLogGate();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(fenceLog);
        builder.Services.AddGrainRuntime().AddGrain<ICounterGrain, CounterGrain>();
        builder.Services.AddSingleton(Options.Create(MembershipSilo.FastOptions()));
        builder.Services.AddSingleton<IMembershipTable>(table);
        builder.Services.AddSingleton(new SiloIdentity("10.0.0.9:11111"));
        builder.Services.AddSingleton<MembershipService>();
        builder.Services.AddSingleton<IClusterMembership>(provider => provider.GetRequiredService<MembershipService>());
        builder.Services.AddHostedService(provider => provider.GetRequiredService<MembershipService>());
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<ICounterGrain>("before").GetAsync();

        // A renewal is held until its lease has run out: the silo fences itself, and the fencing thread is held right
        // after it logged the fence until the held renewal, released then, has lifted the fence.
        table.HoldNextRenewal();
        await fenceLog.Fenced.WaitAsync(Deadline);
        table.ReleaseRenewal();
        await fenceLog.Unfenced.WaitAsync(Deadline);

        var membership = host.Services.GetRequiredService<IClusterMembership>();
        await Eventually.TrueAsync(() => membership.IsServing, Deadline, "the silo serves again");
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await grains.GetGrain<ICounterGrain>("after").GetAsync();
                return true;
            }
            catch (SiloUnavailableException)
            {
                return false;
            }
        }, Deadline, "the silo takes new activations again");
        await host.StopAsync();
    }

    /// <summary>Holds one renewal (ignoring its deadline, as a slow answer would) until the test releases it; it then succeeds.</summary>
    private sealed class HeldRenewalTable(IMembershipTable inner) : IMembershipTable
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _hold;

        public void HoldNextRenewal() => _hold = true;

        public void ReleaseRenewal() => _release.TrySetResult();

        public async Task<bool> RenewAsync(MembershipEntry entry, CancellationToken cancellationToken)
        {
            if (_hold)
            {
                _hold = false;
                await _release.Task;
                return await inner.RenewAsync(entry, CancellationToken.None);
            }

            return await inner.RenewAsync(entry, cancellationToken);
        }

        public Task<IReadOnlyList<MembershipEntry>> ReadAllAsync(CancellationToken cancellationToken) => inner.ReadAllAsync(cancellationToken);

        public Task InsertAsync(MembershipEntry entry, CancellationToken cancellationToken) => inner.InsertAsync(entry, cancellationToken);

        public Task<bool> DeclareDeadAsync(string siloId, DateTimeOffset observedHeartbeat, CancellationToken cancellationToken) =>
            inner.DeclareDeadAsync(siloId, observedHeartbeat, cancellationToken);

        public Task DeleteDeadAsync(string siloId, CancellationToken cancellationToken) => inner.DeleteDeadAsync(siloId, cancellationToken);
    }

    /// <summary>
    /// Blocks the thread that logs the fence until the unfence is logged: the widest form of the window between the
    /// silo marking itself fenced and the rest of its fencing.
    /// </summary>
    private sealed class FenceLogGate : ILoggerProvider, ILogger
    {
        private readonly TaskCompletionSource _fenced = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _unfenced = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Fenced => _fenced.Task;

        public Task Unfenced => _unfenced.Task;

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (message.Contains("stops serving grains", StringComparison.Ordinal) && _fenced.TrySetResult())
            {
                _unfenced.Task.Wait(Deadline);
            }
            else if (message.Contains("serves grains", StringComparison.Ordinal))
            {
                _unfenced.TrySetResult();
            }
        }

        public void Dispose() => _unfenced.TrySetResult();
    }
}
