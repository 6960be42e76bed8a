using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using UserData.Providers.Diagnostics;

namespace UserData.Providers.GrainStorage;

/// <summary>
/// The backend-neutral half of the SQLite and DynamoDB grain storages: one record per <see cref="GrainStateKey"/>
/// holding the state as UTF-8 JSON text and an ETag. A write or clear succeeds only when the stored ETag equals the
/// presented one (no record stored when the presented one is null) and then stores a fresh random ETag; otherwise it
/// changes nothing and throws <see cref="InconsistentStateException"/>. Random ETags, unlike counters, are never
/// reused, so a record deleted and written again cannot match an ETag from before the delete. Backends supply the
/// conditional record operations.
/// </summary>
internal abstract partial class JsonGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IHealthCheck
{
    private const string Store = "grain-storage";

    // Strict, so a binary serializer is an error at the first write instead of mangled text in storage.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string _provider;
    private readonly string _serviceId;
    private readonly IGrainStorageSerializer _serializer;
    private readonly bool _deleteStateOnClear;
    private readonly IActivatorProvider _activators;
    private volatile bool _started;

    /// <param name="name">The provider's name (the storage name grains use).</param>
    /// <param name="provider">The backend's metrics tag: <c>sqlite</c> or <c>dynamodb</c>.</param>
    protected JsonGrainStorage(
        string name, string provider, string serviceId, IGrainStorageSerializer serializer, bool deleteStateOnClear, IActivatorProvider activators, ILogger logger)
    {
        Name = name;
        _provider = provider;
        _serviceId = serviceId;
        _serializer = serializer;
        _deleteStateOnClear = deleteStateOnClear;
        _activators = activators;
        Logger = logger;
    }

    public string Name { get; }

    protected ILogger Logger { get; }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"{GetType().Name}-{Name}", ServiceLifecycleStage.ApplicationServices, StartAsync, StopAsync);

    /// <summary>Opens the store (creating its table when missing and allowed); the silo calls it at start.</summary>
    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        await StartStoreAsync(cancellationToken).ConfigureAwait(false);
        _started = true;
    }

    internal async Task StopAsync(CancellationToken cancellationToken)
    {
        _started = false;
        await StopStoreAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = KeyOf(stateName, grainId);
        var stored = await ProviderInstruments.MeasureAsync(_provider, Store, "read", () => ReadAsync(key, cancellationToken)).ConfigureAwait(false);
        var state = stored?.Json is { } json ? Deserialize<T>(key, json) : default;
        grainState.State = state ?? NewState<T>();
        grainState.RecordExists = state is not null;
        grainState.ETag = stored?.ETag;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = KeyOf(stateName, grainId);
        var record = new StoredGrainState(NewETag(), Serialize(key, grainState.State));
        var presented = Presented(grainState.ETag);
        var outcome = await ProviderInstruments.MeasureAsync(_provider, Store, "write", () => WriteAsync(key, presented, record, cancellationToken)).ConfigureAwait(false);
        ThrowIfConflict(outcome, key, presented, "write");
        grainState.ETag = record.ETag;
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <summary>
    /// With <c>DeleteStateOnClear</c> deletes the record (the state then has no ETag); otherwise keeps it with no state
    /// and a new ETag, so that a writer holding an ETag from before the clear still conflicts.
    /// </summary>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = KeyOf(stateName, grainId);
        var presented = Presented(grainState.ETag);
        var cleared = _deleteStateOnClear ? null : new StoredGrainState(NewETag(), Json: null);
        var outcome = await ProviderInstruments.MeasureAsync(_provider, Store, "clear", () => cleared is null
            ? DeleteAsync(key, presented, cancellationToken)
            : WriteAsync(key, presented, cleared, cancellationToken)).ConfigureAwait(false);
        ThrowIfConflict(outcome, key, presented, "clear");
        grainState.ETag = cleared?.ETag;
        grainState.RecordExists = false;
        grainState.State = NewState<T>();
    }

    /// <summary>Healthy when the provider has started and a read of its store answers.</summary>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!_started)
        {
            return HealthCheckResult.Unhealthy($"Grain storage '{Name}' is not running.");
        }

        try
        {
            await ProbeAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"Grain storage '{Name}' answers.");
        }
#pragma warning disable CA1031 // Any failure of the store is what the check reports.
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy($"Grain storage '{Name}' does not answer: {exception.Message}", exception);
        }
    }

    protected abstract Task StartStoreAsync(CancellationToken cancellationToken);

    protected abstract Task StopStoreAsync(CancellationToken cancellationToken);

    /// <returns>The record, or null when there is none.</returns>
    protected abstract Task<StoredGrainState?> ReadAsync(GrainStateKey key, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="record"/> if the stored ETag is <paramref name="expectedETag"/> (null: if there is no record).</summary>
    protected abstract Task<ConditionalWrite> WriteAsync(GrainStateKey key, string? expectedETag, StoredGrainState record, CancellationToken cancellationToken);

    /// <summary>Deletes the record if its ETag is <paramref name="expectedETag"/>; with null, succeeds only when there is no record.</summary>
    protected abstract Task<ConditionalWrite> DeleteAsync(GrainStateKey key, string? expectedETag, CancellationToken cancellationToken);

    /// <summary>A cheap read that throws when the store does not answer.</summary>
    protected abstract Task ProbeAsync(CancellationToken cancellationToken);

    private static string NewETag() => Guid.NewGuid().ToString("N");

    // Orleans hands a state that was never read or written an empty or null ETag: both mean "no record expected".
    private static string? Presented(string? etag) => string.IsNullOrEmpty(etag) ? null : etag;

    private GrainStateKey KeyOf(string stateName, GrainId grainId)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        if (!_started)
        {
            throw new InvalidOperationException($"Grain storage '{Name}' is not running: it starts with the silo.");
        }

        return new GrainStateKey(_serviceId, grainId.ToString(), stateName);
    }

    private T NewState<T>() => _activators.GetActivator<T>().Create();

    private string Serialize<T>(GrainStateKey key, T state)
    {
        var bytes = _serializer.Serialize(state);
        try
        {
            return StrictUtf8.GetString(bytes.ToMemory().Span);
        }
        catch (DecoderFallbackException exception)
        {
            throw new InvalidOperationException(
                $"Grain storage '{Name}' stores JSON text, but its serializer {_serializer.GetType().Name} wrote bytes that are not UTF-8 " +
                $"for the state '{key.StateName}' of grain {key.GrainId}: configure a JSON grain storage serializer.", exception);
        }
    }

    private T? Deserialize<T>(GrainStateKey key, string json)
    {
        try
        {
            return _serializer.Deserialize<T>(BinaryData.FromString(json));
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException(
                $"Grain storage '{Name}' cannot read the stored state '{key.StateName}' of grain {key.GrainId} as {typeof(T).Name}: {exception.Message}", exception);
        }
    }

    private void ThrowIfConflict(ConditionalWrite outcome, GrainStateKey key, string? presented, string operation)
    {
        if (outcome.Applied)
        {
            return;
        }

        LogConflict(Logger, Name, operation, key.StateName, key.GrainId, outcome.StoredETag, presented);
        throw new InconsistentStateException(
            $"Grain storage '{Name}' refused to {operation} the state '{key.StateName}' of grain {key.GrainId}: another writer changed it " +
            $"(stored ETag {outcome.StoredETag ?? "none"}, presented ETag {presented ?? "none"}).",
            outcome.StoredETag, presented);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Grain storage {Provider} refused a stale {Operation} of state {StateName} of grain {GrainId}: stored ETag {StoredETag}, presented ETag {PresentedETag}")]
    private static partial void LogConflict(ILogger logger, string provider, string operation, string stateName, string grainId, string? storedETag, string? presentedETag);
}
