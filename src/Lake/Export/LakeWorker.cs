using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserData.Lake.Compaction;
using UserData.Lake.Configuration;
using UserData.Lake.Diagnostics;
using UserData.Lake.Rows;
using UserData.Lake.Storage;
using UserData.Providers.ChangeFeed;

namespace UserData.Lake.Export;

/// <summary>
/// The lake's worker, a hosted service of the silo host (<c>Lake__Enabled=true</c>). Every third of the lease duration it
/// renews the leases it holds, then tries to claim every shard of the change feed (a child shard once its parent is fully
/// exported) and the compaction lease: a free lease at once, a lease held by another worker once that worker has not
/// renewed it for the lease duration. Under each lease it holds it runs a <see cref="ShardExporter"/> (or the compaction
/// cycle). With two workers on one feed, one exports and the other stands by until the first stops renewing.
/// </summary>
internal sealed partial class LakeWorker : BackgroundService
{
    /// <summary>The consumer name under which the lake keeps its checkpoints, leases and erasures.</summary>
    public const string Consumer = "lake";

    /// <summary>The lease that makes one worker at a time compact (not a feed shard).</summary>
    public const string CompactionLease = "$compaction";

    private readonly IChangeFeed _feed;
    private readonly IChangeFeedCheckpoints _checkpoints;
    private readonly ILakeStorage _storage;
    private readonly LakeOptions _options;
    private readonly ILogger _logger;
    private readonly ErasedUsers _erased = new();
    private readonly ShardExporter _exporter;
    private readonly LakeCompactor _compactor;
    private readonly string _owner = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
    private readonly Dictionary<string, HeldLease> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Counter, long SeenAt)> _observed = new(StringComparer.Ordinal);

    public LakeWorker(IChangeFeed feed, IChangeFeedCheckpoints checkpoints, ILakeStorage storage, IOptions<LakeOptions> options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _feed = feed;
        _checkpoints = checkpoints;
        _storage = storage;
        _options = options.Value;
        _logger = loggers.CreateLogger<LakeWorker>();
        _exporter = new ShardExporter(feed, checkpoints, storage, _options, _erased, _owner, loggers.CreateLogger<ShardExporter>());
        _compactor = new LakeCompactor(feed, checkpoints, storage, _erased, loggers.CreateLogger<LakeCompactor>());
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (var held in _held.Values)
        {
            await held.Stopping.CancelAsync().ConfigureAwait(false);
        }

        foreach (var held in _held.Values)
        {
            await Completion(held.Run).ConfigureAwait(false);
            try
            {
                await _checkpoints.ReleaseAsync(Consumer, held.Name, _owner, cancellationToken).ConfigureAwait(false);
                LogReleased(_logger, held.Name);
            }
#pragma warning disable CA1031 // An unreleased lease only expires later: another worker still takes it over.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogReleaseFailed(_logger, exception, held.Name);
            }

            LakeInstruments.ShardReleased(held.Name);
            held.Dispose();
        }

        _held.Clear();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarting(_logger, _owner, _feed.Name, _checkpoints.Provider, _storage.Location);
        var tick = _options.LeaseDuration / 3;
        var started = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!started)
                {
                    await _checkpoints.StartAsync(stoppingToken).ConfigureAwait(false);
                    foreach (var erasure in await _checkpoints.ListErasuresAsync(Consumer, stoppingToken).ConfigureAwait(false))
                    {
                        if (EventMapper.UserIdOf(erasure.Stream) is { } userId)
                        {
                            _erased.Add(userId);
                        }
                    }

                    started = true;
                }

                await RenewAsync(stoppingToken).ConfigureAwait(false);
                await ClaimAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogCycleFailed(_logger, exception);
            }

            try
            {
                await Task.Delay(tick, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        foreach (var held in _held.Values.ToList())
        {
            if (held.Run.IsCompleted)
            {
                // Ended (a closed shard), lost, or failed: a failure is logged, and the lease is claimed again below.
                if (held.Run.Exception?.InnerException is { } failure and not LeaseExpiredException)
                {
                    LogRunFailed(_logger, failure, held.Name);
                }

                _held.Remove(held.Name);
                LakeInstruments.ShardReleased(held.Name);
                held.Dispose();
                continue;
            }

            var startedAt = Stopwatch.GetTimestamp();
            try
            {
                if (await _checkpoints.TryRenewAsync(Consumer, held.Name, _owner, cancellationToken).ConfigureAwait(false) is null)
                {
                    LogLost(_logger, held.Name);
                    await held.Stopping.CancelAsync().ConfigureAwait(false);
                }
                else
                {
                    held.Renewed(startedAt);
                }
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Not renewed: the run stops writing by itself once the lease duration has passed since the last renewal.
                LogRenewFailed(_logger, exception, held.Name);
            }
        }
    }

    private async Task ClaimAsync(CancellationToken cancellationToken)
    {
        var shards = await _feed.ListShardsAsync(cancellationToken).ConfigureAwait(false);
        var states = (await _checkpoints.ListShardsAsync(Consumer, cancellationToken).ConfigureAwait(false)).ToDictionary(state => state.Shard, StringComparer.Ordinal);
        var listed = shards.Select(shard => shard.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var shard in shards.Append(new FeedShard(CompactionLease, null)))
        {
            var state = states.GetValueOrDefault(shard.Id);
            if (_held.ContainsKey(shard.Id) || state is { Ended: true }
                || (shard.ParentId is { } parent && listed.Contains(parent) && states.GetValueOrDefault(parent) is not { Ended: true }))
            {
                continue;
            }

            var claimedAt = Stopwatch.GetTimestamp();
            ShardCheckpoint? claimed;
            if (state is null || state.Owner is null || state.Owner == _owner)
            {
                claimed = await _checkpoints.TryClaimAsync(Consumer, shard.Id, _owner, state?.Counter, cancellationToken).ConfigureAwait(false);
            }
            else if (_observed.GetValueOrDefault(shard.Id) is { } seen && seen.Counter == state.Counter
                && Stopwatch.GetElapsedTime(seen.SeenAt) >= _options.LeaseDuration)
            {
                claimed = await _checkpoints.TryClaimAsync(Consumer, shard.Id, _owner, state.Counter, cancellationToken).ConfigureAwait(false);
                if (claimed is not null)
                {
                    LogTookOver(_logger, shard.Id, state.Owner, _options.LeaseDuration);
                }
            }
            else
            {
                if (!_observed.TryGetValue(shard.Id, out var previous) || previous.Counter != state.Counter)
                {
                    if (!_observed.ContainsKey(shard.Id))
                    {
                        LogStandingBy(_logger, shard.Id, state.Owner);
                    }

                    _observed[shard.Id] = (state.Counter, Stopwatch.GetTimestamp());
                }

                continue;
            }

            _observed.Remove(shard.Id);
            if (claimed is not null)
            {
                Start(shard, claimed, claimedAt, cancellationToken);
            }
        }
    }

    private void Start(FeedShard shard, ShardCheckpoint state, long claimedAt, CancellationToken stoppingToken)
    {
        var held = new HeldLease(shard.Id, _options.LeaseDuration, claimedAt, stoppingToken);
        _held[shard.Id] = held;
        LogClaimed(_logger, shard.Id, state.Position);
        if (shard.Id == CompactionLease)
        {
            held.Run = Task.Run(() => CompactEveryIntervalAsync(held), CancellationToken.None);
        }
        else
        {
            LakeInstruments.ShardClaimed(shard.Id);
            held.Run = Task.Run(() => _exporter.RunAsync(shard, state, held, held.Stopping.Token), CancellationToken.None);
        }
    }

    private async Task CompactEveryIntervalAsync(HeldLease held)
    {
        var cancellationToken = held.Stopping.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            // An interval first, then a cycle: a worker restarted in a crash loop does not rewrite the lake at every start.
            await Task.Delay(_options.CompactionInterval, cancellationToken).ConfigureAwait(false);
            try
            {
                await _compactor.CompactAsync(held, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not (OperationCanceledException or LeaseExpiredException))
            {
                LogCompactionFailed(_logger, exception, _storage.Location);
            }
        }
    }

    private static async Task Completion(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Stopping: how a run ended was logged where it matters.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lake worker {Owner} exports the change feed {Feed} (checkpoints: {Checkpoints}) to {Lake}")]
    private static partial void LogStarting(ILogger logger, string owner, string feed, string checkpoints, string lake);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed the lease on {Shard} (exported through {Position})")]
    private static partial void LogClaimed(ILogger logger, string shard, string? position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Took the lease on {Shard} over from {Owner}, which had not renewed it for {LeaseDuration}")]
    private static partial void LogTookOver(ILogger logger, string shard, string owner, TimeSpan leaseDuration);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Shard} is held by {Owner}; this worker stands by and takes over if that worker stops renewing")]
    private static partial void LogStandingBy(ILogger logger, string shard, string owner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease on {Shard} was taken over by another worker; this worker stopped working under it")]
    private static partial void LogLost(ILogger logger, string shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the lease on {Shard} failed; the worker retries, and stops writing under it if the lease runs out")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string shard);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released the lease on {Shard}")]
    private static partial void LogReleased(ILogger logger, string shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the lease on {Shard} failed; it expires by itself")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string shard);

    [LoggerMessage(Level = LogLevel.Error, Message = "Exporting {Shard} failed; the worker resumes it from its checkpoint")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string shard);

    [LoggerMessage(Level = LogLevel.Error, Message = "A lake worker cycle (renewing and claiming leases) failed; it runs again shortly")]
    private static partial void LogCycleFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Compacting the lake {Lake} failed; the next cycle tries again")]
    private static partial void LogCompactionFailed(ILogger logger, Exception exception, string lake);
}
