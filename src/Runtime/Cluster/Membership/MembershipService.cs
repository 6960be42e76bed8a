using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserData.Runtime.Activations;
using UserData.Runtime.Cluster.Placement;
using UserData.Runtime.Hosting;

namespace UserData.Runtime.Cluster.Membership;

/// <summary>
/// Keeps this process's view of the cluster and, when it runs a silo, the silo's membership row.
/// <list type="bullet">
/// <item>Start: the row is inserted as Joining, and turned Active once the silo port listens.</item>
/// <item>Every heartbeat interval: renew the own row (conditional on it not being Dead) with the activation counts and the
/// process's CPU and memory (<see cref="ProcessUsageSampler"/>: the CPU time delta since the previous renewal), read every row, and build the
/// view of Active silos whose heartbeat changed within the suspicion timeout. Heartbeat age is measured on this
/// process's own monotonic clock from when it saw the value change, so clock skew between silos does not matter and
/// the age seen is never more than the real one.</item>
/// <item>A silo whose heartbeat has not changed for the suspicion timeout is marked Dead, conditional on that heartbeat.</item>
/// <item>Self-fencing: a silo that has not renewed its row for <c>SuspicionTimeout - SelfFenceMargin</c> (counted from
/// when its last successful renewal was sent) deactivates its grains and refuses calls with a retryable answer, before
/// anyone else can see its heartbeat that old. If it finds its row Dead it stops the process.</item>
/// <item>Stop (SIGTERM): ShuttingDown (others stop routing to it), drain and deactivate, then Dead, all before the
/// silo port closes.</item>
/// </list>
/// </summary>
internal sealed partial class MembershipService : IClusterMembership, IHostedLifecycleService, IDisposable
{
    private readonly IMembershipTable _table;
    private readonly ClusterOptions _options;
    private readonly IServiceProvider _services;
    private Catalog? _catalog;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<MembershipService> _logger;
    private readonly TimeProvider _time;
    private readonly ProcessUsageSampler _usage;
    private readonly Dictionary<string, (DateTimeOffset Heartbeat, long SeenAt)> _observed = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _round = new(1, 1);
    private MembershipEntry? _self;
    private Task? _loop;
    private Task? _fenceWatch;
    private long _lastRenewalSentAt;
    private volatile bool _fenced;
    private volatile bool _evicted;
    private volatile ClusterView _view = ClusterView.Empty;

    public MembershipService(
        IMembershipTable table,
        IOptions<ClusterOptions> options,
        IHostApplicationLifetime lifetime,
        ILogger<MembershipService> logger,
        IServiceProvider services,
        ProcessUsageSampler usage,
        SiloIdentity? identity = null,
        TimeProvider? time = null)
    {
        _table = table;
        _options = options.Value;
        _services = services;
        _lifetime = lifetime;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _usage = usage;
        if (identity is not null)
        {
            var now = _time.GetUtcNow();
            _self = new MembershipEntry(
                $"{identity.Address}@{now.UtcTicks}", identity.Address, SiloStatus.Joining, now, now, 0, new Dictionary<string, int>());
        }
    }

    public ClusterView View => _view;

    // A renewal answered later than the lease is of no use; a slow table (a loaded DynamoDB or dynalite) must not fail
    // rounds that would still be in time.
    private TimeSpan CallTimeout => _options.SuspicionTimeout - _options.SelfFenceMargin;

    public string? LocalSiloId => _self?.SiloId;

    public SiloStatus? LocalStatus => _self?.Status;

    public bool IsServing => _self is { Status: SiloStatus.Active } && !_fenced && !_evicted;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (_self is not null)
        {
            // Resolved here, not in the constructor: the catalog depends on the router, which depends on this service.
            _catalog = _services.GetRequiredService<Catalog>();
            _lastRenewalSentAt = _time.GetTimestamp();
            await _table.InsertAsync(_self, cancellationToken).ConfigureAwait(false);
            LogJoining(_logger, _self.SiloId);
        }

        // Unbounded but for the host's start token: the first read may wait for the table to be created.
        await RefreshAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The silo port listens now (the web server starts after hosted services): become Active.</summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (_self is not null)
        {
            _self = _self with { Status = SiloStatus.Active };
            await RoundAsync(cancellationToken).ConfigureAwait(false);
            LogActive(_logger, _self.SiloId, _view.Silos.Count);
            _fenceWatch = Task.Run(() => WatchLeaseAsync(_stopping.Token), CancellationToken.None);
        }

        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Runs before any service stops, so the silo port still answers while the silo drains.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await WhenStopped(_loop).ConfigureAwait(false);
        await WhenStopped(_fenceWatch).ConfigureAwait(false);
        if (_self is null || _evicted)
        {
            return;
        }

        _self = _self with { Status = SiloStatus.ShuttingDown };
        await TryRoundAsync(cancellationToken).ConfigureAwait(false);
        LogShuttingDown(_logger, _self.SiloId);
        await _catalog!.DeactivateAllAsync(cancellationToken).ConfigureAwait(false);

        // Others may still route to this silo until they re-read the table; it forwards those calls meanwhile.
        await Task.Delay(_options.HeartbeatInterval, _time, cancellationToken).ConfigureAwait(false);
        _self = _self with { Status = SiloStatus.Dead };
        await TryRoundAsync(cancellationToken).ConfigureAwait(false);
        LogLeft(_logger, _self.SiloId);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _stopping.Dispose();
        _round.Dispose();
    }

    private static async Task WhenStopped(Task? task)
    {
        if (task is not null)
        {
            await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await TryRoundAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task TryRoundAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RoundAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A failed round (table unreachable) is retried next interval; the lease watch fences meanwhile.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogRoundFailed(_logger, exception);
        }
    }

    /// <summary>Renews the own row, then re-reads the table. One round at a time, each call bounded by the lease.</summary>
    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        await _round.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_self is not null && !_evicted)
            {
                await RenewAsync(cancellationToken).ConfigureAwait(false);
            }

            await RefreshAsync(CallTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _round.Release();
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        var sentAt = _time.GetTimestamp();
        var activations = _catalog!.Activations.GroupBy(activation => activation.GrainId.Type)
            .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
        var renewed = _self! with
        {
            Heartbeat = _time.GetUtcNow(),
            Activations = activations.Values.Sum(),
            ActivationsByType = activations,
            Usage = _usage.Sample(),
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CallTimeout);
        if (!await _table.RenewAsync(renewed, timeout.Token).ConfigureAwait(false))
        {
            Evict();
            return;
        }

        _self = renewed;
        Interlocked.Exchange(ref _lastRenewalSentAt, sentAt);
        if (_fenced && renewed.Status == SiloStatus.Active)
        {
            _fenced = false;
            _catalog.Resume();
            LogUnfenced(_logger, renewed.SiloId);
        }
    }

    private async Task RefreshAsync(TimeSpan callTimeout, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(callTimeout);
        var rows = await _table.ReadAllAsync(timeout.Token).ConfigureAwait(false);
        var now = _time.GetTimestamp();
        var active = new List<SiloEndpoint>();
        var suspects = new List<MembershipEntry>();
        foreach (var row in rows)
        {
            if (row.SiloId == _self?.SiloId)
            {
                if (IsServing)
                {
                    active.Add(new SiloEndpoint(row.SiloId, row.Address));
                }

                continue;
            }

            if (row.Status == SiloStatus.Dead)
            {
                _observed.Remove(row.SiloId);
                if (_self is not null && _time.GetUtcNow() - row.Heartbeat > _options.DeadRowRetention)
                {
                    await _table.DeleteDeadAsync(row.SiloId, timeout.Token).ConfigureAwait(false);
                    LogDeletedDeadRow(_logger, row.SiloId);
                }

                continue;
            }

            if (!_observed.TryGetValue(row.SiloId, out var seen) || seen.Heartbeat != row.Heartbeat)
            {
                _observed[row.SiloId] = seen = (row.Heartbeat, now);
            }

            if (_time.GetElapsedTime(seen.SeenAt, now) > _options.SuspicionTimeout)
            {
                suspects.Add(row);
            }
            else if (row.Status == SiloStatus.Active)
            {
                active.Add(new SiloEndpoint(row.SiloId, row.Address));
            }
        }

        var view = _view = new ClusterView(active, rows);

        // An activation of a grain that now belongs elsewhere would serve stale reads if the grain came back later:
        // it goes within one heartbeat interval (its snapshot written), and the owner activates the grain afresh.
        if (IsServing && _catalog!.DeactivateWhere(grainId => view.Owner(grainId)?.SiloId != _self!.SiloId) is > 0 and var moved)
        {
            LogMoved(_logger, moved, view.Silos.Count);
        }

        // Only silos declare others dead; a pure gateway just stops routing to them.
        if (_self is not null)
        {
            foreach (var suspect in suspects)
            {
                if (await _table.DeclareDeadAsync(suspect.SiloId, suspect.Heartbeat, timeout.Token).ConfigureAwait(false))
                {
                    LogDeclaredDead(_logger, suspect.SiloId, _options.SuspicionTimeout.TotalSeconds);
                }
            }
        }
    }

    /// <summary>Fences the silo once its lease (last renewal + SuspicionTimeout - SelfFenceMargin) runs out.</summary>
    private async Task WatchLeaseAsync(CancellationToken cancellationToken)
    {
        var lease = _options.SuspicionTimeout - _options.SelfFenceMargin;
        using var timer = new PeriodicTimer(_options.HeartbeatInterval / 4, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!_fenced && _time.GetElapsedTime(Interlocked.Read(ref _lastRenewalSentAt)) > lease)
                {
                    Fence();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Fence()
    {
        // The catalog is paused before the silo is marked fenced: a renewal that sees the mark and lifts it then also
        // lifts the pause. The other order let a renewal landing in between leave the silo Active but paused for good.
        var pausing = _catalog!.PauseAsync(CancellationToken.None);
        _fenced = true;
        var view = _view;
        _view = new ClusterView(view.Silos.Where(silo => silo.SiloId != _self!.SiloId), view.Members);
        LogFenced(_logger, _self!.SiloId, (_options.SuspicionTimeout - _options.SelfFenceMargin).TotalSeconds);
        _ = DeactivateAsync(pausing);
    }

    private void Evict()
    {
        if (_evicted)
        {
            return;
        }

        _evicted = true;
        Fence();
        LogEvicted(_logger, _self!.SiloId);
        _lifetime.StopApplication();
    }

    private async Task DeactivateAsync(Task pausing)
    {
        try
        {
            await pausing.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Deactivation failures are the activations' own; the silo stays fenced either way.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogRoundFailed(_logger, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {SiloId} joining the cluster")]
    private static partial void LogJoining(ILogger logger, string siloId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {SiloId} is Active; {Silos} active silos")]
    private static partial void LogActive(ILogger logger, string siloId, int silos);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {SiloId} shutting down: draining its activations")]
    private static partial void LogShuttingDown(ILogger logger, string siloId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {SiloId} left the cluster")]
    private static partial void LogLeft(ILogger logger, string siloId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Membership round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Declared silo {SiloId} dead: no heartbeat for {Seconds} s")]
    private static partial void LogDeclaredDead(ILogger logger, string siloId, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deactivating {Count} activations whose grains now belong to other silos ({Silos} active)")]
    private static partial void LogMoved(ILogger logger, int count, int silos);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted the old Dead membership row of {SiloId}")]
    private static partial void LogDeletedDeadRow(ILogger logger, string siloId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Silo {SiloId} could not renew its membership for {Seconds} s: it stops serving grains")]
    private static partial void LogFenced(ILogger logger, string siloId, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {SiloId} renewed its membership again and serves grains")]
    private static partial void LogUnfenced(ILogger logger, string siloId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Silo {SiloId} was declared dead by the cluster; stopping the process")]
    private static partial void LogEvicted(ILogger logger, string siloId);
}
