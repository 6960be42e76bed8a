using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;

namespace UserData.Providers.Tests.GrainStorage;

/// <summary>How a test wants its grain storage configured.</summary>
public sealed record StorageSettings(bool DeleteStateOnClear = false, IGrainStorageSerializer? Serializer = null);

/// <summary>A record as the backend holds it, read directly from the SQLite table or the DynamoDB item.</summary>
public sealed record StoredRecord(string ETag, string? Json);

/// <summary>
/// What every grain storage must do, run against each backend by a subclass that owns a fresh store (a SQLite file, a
/// DynamoDB table) for each test: first on the provider itself, then through Orleans grains in test clusters.
/// </summary>
public abstract class GrainStorageContract : IAsyncLifetime
{
    public const string StorageName = "Claims";
    public const string StateName = "claim";
    public const string ServiceId = "userdata-tests";

    private static readonly ClaimRecord Claim = new()
    {
        Owner = "Zoë Ångström 日本語 ✓ \"quoted\"",
        Details = new ClaimDetails { Email = "zoë@exämple.org", Confirmations = 3 },
    };

    private readonly List<StorageHost> _hosts = [];

    /// <summary>Registers the backend's grain storage named <see cref="StorageName"/> on this test's store.</summary>
    protected abstract void AddStorage(IServiceCollection services, StorageSettings settings);

    /// <summary>Reads the record directly from the backend; null when there is none.</summary>
    protected abstract Task<StoredRecord?> ReadStoredAsync(string serviceId, GrainId grainId, string stateName);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reading_a_missing_state_gives_the_default_state_no_etag_and_no_record()
    {
        var storage = await StartStorageAsync();
        var state = new GrainState<ClaimRecord> { State = Claim, ETag = "left-over" };

        await storage.ReadStateAsync(StateName, NewGrainId(), state);

        Assert.Equal(new ClaimRecord(), state.State);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
    }

    [Fact]
    public async Task A_written_state_reads_back_equal_with_the_etag_the_write_set()
    {
        var storage = await StartStorageAsync();
        var grainId = NewGrainId();
        var written = new GrainState<ClaimRecord>(Claim);

        await storage.WriteStateAsync(StateName, grainId, written);
        var read = await ReadAsync(storage, grainId);

        Assert.NotNull(written.ETag);
        Assert.True(written.RecordExists);
        Assert.Equal(Claim, read.State);
        Assert.Equal(written.ETag, read.ETag);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task The_stored_state_is_readable_json_text()
    {
        var storage = await StartStorageAsync();
        var grainId = NewGrainId();
        var written = new GrainState<ClaimRecord>(Claim);

        await storage.WriteStateAsync(StateName, grainId, written);
        var stored = await ReadStoredAsync(ServiceId, grainId, StateName);

        Assert.NotNull(stored);
        Assert.Equal(written.ETag, stored.ETag);
        AssertPlainJson(Claim, stored.Json);
    }

    [Fact]
    public async Task A_write_with_a_stale_etag_throws_and_keeps_the_first_writers_state()
    {
        var storage = await StartStorageAsync();
        var grainId = NewGrainId();
        await storage.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(Claim));
        var first = await ReadAsync(storage, grainId);
        var second = await ReadAsync(storage, grainId);
        var staleETag = second.ETag;

        first.State = Claim with { Owner = "first writer" };
        await storage.WriteStateAsync(StateName, grainId, first);
        second.State = Claim with { Owner = "second writer" };
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grainId, second));

        Assert.Equal(first.ETag, conflict.StoredEtag);
        Assert.Equal(staleETag, conflict.CurrentEtag);
        Assert.Equal(staleETag, second.ETag);
        var read = await ReadAsync(storage, grainId);
        Assert.Equal("first writer", read.State?.Owner);
        Assert.Equal(first.ETag, read.ETag);
    }

    [Fact]
    public async Task A_write_without_etag_over_a_stored_state_throws_instead_of_overwriting()
    {
        var storage = await StartStorageAsync();
        var grainId = NewGrainId();
        var first = new GrainState<ClaimRecord>(Claim);
        await storage.WriteStateAsync(StateName, grainId, first);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(Claim with { Owner = "late insert" })));

        Assert.Equal(first.ETag, conflict.StoredEtag);
        Assert.Null(conflict.CurrentEtag);
        Assert.Equal(Claim, (await ReadAsync(storage, grainId)).State);
    }

    [Fact]
    public async Task A_write_with_an_etag_when_nothing_is_stored_throws_and_writes_nothing()
    {
        var storage = await StartStorageAsync();
        var grainId = NewGrainId();

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(Claim, "an-etag-from-elsewhere")));

        Assert.Null(conflict.StoredEtag);
        Assert.Equal("an-etag-from-elsewhere", conflict.CurrentEtag);
        Assert.Null(await ReadStoredAsync(ServiceId, grainId, StateName));
    }

    [Fact]
    public async Task Of_concurrent_writers_with_the_same_etag_exactly_one_wins()
    {
        // Two provider instances on one store (two silos, or two connections to one SQLite file), writers split between them.
        var storages = new[] { await StartStorageAsync(), await StartStorageAsync() };
        const int Writers = 8;
        for (var round = 0; round < 5; round++)
        {
            var grainId = NewGrainId();
            await storages[0].WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(Claim));
            var etag = (await ReadAsync(storages[0], grainId)).ETag;
            var states = Enumerable.Range(0, Writers).Select(i => new GrainState<ClaimRecord>(Claim with { Owner = $"writer {i}" }, etag)).ToArray();

            var outcomes = await Task.WhenAll(states.Select((state, i) => Task.Run(async () =>
            {
                try
                {
                    await storages[i % 2].WriteStateAsync(StateName, grainId, state);
                    return true;
                }
                catch (InconsistentStateException)
                {
                    return false;
                }
            })));

            var winner = Assert.Single(outcomes.Select((won, i) => (won, i)), outcome => outcome.won).i;
            var read = await ReadAsync(storages[1], grainId);
            Assert.Equal($"writer {winner}", read.State?.Owner);
            Assert.Equal(states[winner].ETag, read.ETag);
        }
    }

    [Fact]
    public async Task Clearing_keeps_the_record_without_state_under_a_new_etag_that_fences_stale_writers()
    {
        var storage = await StartStorageAsync(new StorageSettings(DeleteStateOnClear: false));
        var grainId = NewGrainId();
        var state = new GrainState<ClaimRecord>(Claim);
        await storage.WriteStateAsync(StateName, grainId, state);
        var writtenETag = state.ETag;

        await storage.ClearStateAsync(StateName, grainId, state);

        Assert.NotNull(state.ETag);
        Assert.NotEqual(writtenETag, state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(new ClaimRecord(), state.State);
        Assert.Equal(new StoredRecord(state.ETag, Json: null), await ReadStoredAsync(ServiceId, grainId, StateName));
        var read = await ReadAsync(storage, grainId);
        Assert.Equal(new ClaimRecord(), read.State);
        Assert.False(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(Claim, writtenETag)));
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(Claim)));
        state.State = Claim with { Owner = "after clear" };
        await storage.WriteStateAsync(StateName, grainId, state);
        Assert.Equal("after clear", (await ReadAsync(storage, grainId)).State?.Owner);
    }

    [Fact]
    public async Task Clearing_with_DeleteStateOnClear_deletes_the_record_and_a_write_after_it_starts_anew()
    {
        var storage = await StartStorageAsync(new StorageSettings(DeleteStateOnClear: true));
        var grainId = NewGrainId();
        var state = new GrainState<ClaimRecord>(Claim);
        await storage.WriteStateAsync(StateName, grainId, state);
        var writtenETag = state.ETag;

        await storage.ClearStateAsync(StateName, grainId, state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(new ClaimRecord(), state.State);
        Assert.Null(await ReadStoredAsync(ServiceId, grainId, StateName));
        var read = await ReadAsync(storage, grainId);
        Assert.Null(read.ETag);
        Assert.False(read.RecordExists);

        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(Claim, writtenETag)));
        state.State = Claim with { Owner = "after delete" };
        await storage.WriteStateAsync(StateName, grainId, state);
        Assert.Equal("after delete", (await ReadAsync(storage, grainId)).State?.Owner);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Clearing_with_a_stale_etag_throws_and_changes_nothing(bool deleteStateOnClear)
    {
        var storage = await StartStorageAsync(new StorageSettings(deleteStateOnClear));
        var grainId = NewGrainId();
        var stale = new GrainState<ClaimRecord>(Claim);
        await storage.WriteStateAsync(StateName, grainId, stale);
        var current = await ReadAsync(storage, grainId);
        current.State = Claim with { Owner = "current" };
        await storage.WriteStateAsync(StateName, grainId, current);

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grainId, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grainId, new GrainState<ClaimRecord>(Claim)));

        Assert.Equal(current.ETag, conflict.StoredEtag);
        var read = await ReadAsync(storage, grainId);
        Assert.Equal("current", read.State?.Owner);
        Assert.Equal(current.ETag, read.ETag);
    }

    [Fact]
    public async Task States_are_kept_apart_by_grain_state_name_and_service()
    {
        var storage = await StartStorageAsync();
        var otherService = await StartStorageAsync(serviceId: "another-service");
        var grainId = NewGrainId();
        await storage.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(Claim));

        Assert.False((await ReadAsync(storage, NewGrainId())).RecordExists);
        Assert.False((await ReadAsync(storage, grainId, "other-state")).RecordExists);
        Assert.False((await ReadAsync(otherService, grainId)).RecordExists);

        // The same id under another grain type is another grain.
        var sameKeyOtherType = GrainId.Create("othergrain", grainId.Key.ToString());
        Assert.False((await ReadAsync(storage, sameKeyOtherType)).RecordExists);

        await otherService.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(Claim with { Owner = "other service" }));
        Assert.Equal(Claim, (await ReadAsync(storage, grainId)).State);
    }

    [Fact]
    public async Task A_serializer_that_does_not_write_utf8_text_is_refused_before_anything_is_stored()
    {
        var storage = await StartStorageAsync(new StorageSettings(Serializer: new BinarySerializer()));
        var grainId = NewGrainId();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => storage.WriteStateAsync(StateName, grainId, new GrainState<ClaimRecord>(Claim)));

        Assert.Contains("not UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Contains(grainId.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Null(await ReadStoredAsync(ServiceId, grainId, StateName));
    }

    [Fact]
    public async Task The_storage_health_check_is_healthy_while_the_storage_runs_and_unhealthy_once_stopped()
    {
        var host = await StartHostAsync();

        var running = await host.CheckHealthAsync();
        await host.StopAsync();
        var stopped = await host.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, running.Status);
        Assert.Contains($"grain-storage-{StorageName}", running.Entries.Keys);
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
    }

    [Fact]
    public async Task A_grain_finds_its_state_again_after_deactivation()
    {
        var cluster = await StartClusterAsync($"roundtrip-{Guid.NewGuid():N}");
        try
        {
            var grain = cluster.Client.GetGrain<IClaimGrain>(Guid.NewGuid().ToString("N"));
            Assert.Null(await grain.Get());
            await grain.Set(Claim);
            var firstActivation = await grain.ActivationId();

            await cluster.DeactivateAsync(grain);

            Assert.NotEqual(firstActivation, await grain.ActivationId());
            Assert.Equal(Claim, await grain.Get());

            // Stored by System.Text.Json, not by the silo-wide default serializer (Newtonsoft, with type metadata).
            var stored = await ReadStoredAsync(ServiceId, grain.GetGrainId(), StateName);
            AssertPlainJson(Claim, stored?.Json);
        }
        finally
        {
            await StopClusterAsync(cluster);
        }
    }

    [Fact]
    public async Task A_stale_activation_in_another_cluster_cannot_overwrite_and_its_retry_on_a_fresh_activation_succeeds()
    {
        var clusterA = await StartClusterAsync($"a-{Guid.NewGuid():N}");
        var clusterB = await StartClusterAsync($"b-{Guid.NewGuid():N}");
        try
        {
            var key = Guid.NewGuid().ToString("N");
            var grainInA = clusterA.Client.GetGrain<IClaimGrain>(key);
            var grainInB = clusterB.Client.GetGrain<IClaimGrain>(key);
            await grainInA.Set(Claim with { Owner = "a1" });
            var staleActivation = await grainInA.ActivationId();
            await grainInB.Set(Claim with { Owner = "b1" });

            await Assert.ThrowsAsync<InconsistentStateException>(() => grainInA.Set(Claim with { Owner = "a2" }));
            Assert.Equal("b1", (await ReadStoredClaimAsync(grainInA.GetGrainId())).Owner);

            await grainInA.Set(Claim with { Owner = "a2" });
            Assert.NotEqual(staleActivation, await grainInA.ActivationId());
            Assert.Equal("a2", (await ReadStoredClaimAsync(grainInA.GetGrainId())).Owner);
        }
        finally
        {
            await StopClusterAsync(clusterA);
            await StopClusterAsync(clusterB);
        }
    }

    protected static GrainId NewGrainId() => GrainId.Create("claim", Guid.NewGuid().ToString("N"));

    protected static async Task<GrainState<ClaimRecord>> ReadAsync(IGrainStorage storage, GrainId grainId, string stateName = StateName)
    {
        var state = new GrainState<ClaimRecord>();
        await storage.ReadStateAsync(stateName, grainId, state);
        return state;
    }

    /// <summary>Starts a grain storage on this test's store, stopped when the test ends.</summary>
    protected async Task<IGrainStorage> StartStorageAsync(StorageSettings? settings = null, string serviceId = ServiceId) =>
        (await StartHostAsync(settings, serviceId)).Storage;

    protected async Task<StorageHost> StartHostAsync(StorageSettings? settings = null, string serviceId = ServiceId, Action<IServiceCollection>? configure = null)
    {
        var host = await StorageHost.StartAsync(services => AddStorage(services, settings ?? new StorageSettings()), serviceId, configure);
        _hosts.Add(host);
        return host;
    }

    private static void AssertPlainJson(ClaimRecord expected, string? json)
    {
        Assert.NotNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal(expected.Owner, root.GetProperty("Owner").GetString());
        Assert.Equal(expected.Details!.Email, root.GetProperty("Details").GetProperty("Email").GetString());
        Assert.Equal(expected.Details.Confirmations, root.GetProperty("Details").GetProperty("Confirmations").GetInt32());
        Assert.DoesNotContain(root.EnumerateObject(), property => property.Name.StartsWith('$'));
    }

    private static async Task StopClusterAsync(InProcessTestCluster cluster)
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }

    private async Task<ClaimRecord> ReadStoredClaimAsync(GrainId grainId)
    {
        var stored = await ReadStoredAsync(ServiceId, grainId, StateName);
        return JsonSerializer.Deserialize<ClaimRecord>(stored?.Json ?? "null") ?? throw new InvalidOperationException($"No state is stored for {grainId}.");
    }

    /// <summary>A cluster of one silo with the grain storage on this test's store, under the tests' ServiceId.</summary>
    private async Task<InProcessTestCluster> StartClusterAsync(string clusterId)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ClusterId = clusterId;
        builder.Options.ServiceId = ServiceId;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) => AddStorage(silo.Services, new StorageSettings()));
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes bytes that are not UTF-8 text, as a binary serializer would.</summary>
    private sealed class BinarySerializer : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T? input) => new(new byte[] { 0xC3, 0x28, 0xFF, 0x00 });

        public T? Deserialize<T>(BinaryData input) => default;
    }
}
