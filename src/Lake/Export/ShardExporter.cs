using System.Text.Json;
using Microsoft.Extensions.Logging;
using UserData.Lake.Configuration;
using UserData.Lake.Diagnostics;
using UserData.Lake.Rows;
using UserData.Lake.Storage;
using UserData.Providers.ChangeFeed;

namespace UserData.Lake.Export;

/// <summary>
/// Exports one shard while this worker holds its lease, one batch at a time: read up to <see cref="LakeOptions.MaxBatchEvents"/>
/// events after the checkpoint, record the batch (its first and last position) in the checkpoint store, write its
/// Parquet files (named after the batch), then move the checkpoint past it. A batch recorded but never committed (the
/// worker died in between) is written again exactly, over the same files, before anything else: so each (user, seq)
/// lands in the lake once however often a batch is delivered.
/// </summary>
internal sealed partial class ShardExporter(
    IChangeFeed feed, IChangeFeedCheckpoints checkpoints, ILakeStorage storage, LakeOptions options, ErasedUsers erased, string owner, ILogger logger)
{
    /// <summary>DynamoDB Streams answers at most 1,000 records per call.</summary>
    private const int MaxPageRecords = 1_000;

    /// <summary>Empty pages in a row after which a replay gives up on reaching its last position (and retries later).</summary>
    private const int MaxEmptyReplayPages = 20;

    public async Task RunAsync(FeedShard shard, ShardCheckpoint state, HeldLease lease, CancellationToken cancellationToken)
    {
        var position = state.Position;
        if (state.PendingThrough is { } pendingThrough)
        {
            LogReplaying(logger, shard.Id, state.PendingAfter, pendingThrough);
            var records = await ReadRangeAsync(shard, state.PendingAfter, pendingThrough, cancellationToken).ConfigureAwait(false);
            if (!await ExportAsync(shard, lease, state.PendingAfter, pendingThrough, records, ended: false, alreadyBegun: true, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            position = pendingThrough;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var (records, last, ended, full) = await ReadBatchAsync(shard, position, cancellationToken).ConfigureAwait(false);
            if (last is not null
                && !await ExportAsync(shard, lease, position, last, records, ended, alreadyBegun: false, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            position = last ?? position;
            if (ended)
            {
                if (last is null)
                {
                    lease.EnsureCurrent();
                    await checkpoints.TryCommitAsync(LakeWorker.Consumer, shard.Id, owner, position ?? string.Empty, shardEnded: true, cancellationToken).ConfigureAwait(false);
                }

                LogShardEnded(logger, shard.Id);
                return;
            }

            if (!full)
            {
                await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <returns>False when the lease was lost: the caller stops.</returns>
    private async Task<bool> ExportAsync(
        FeedShard shard, HeldLease lease, string? after, string through, List<FeedRecord> records, bool ended, bool alreadyBegun, CancellationToken cancellationToken)
    {
        if (records.Count > 0)
        {
            LakeInstruments.BatchRead(shard.Id, records.Min(record => record.WrittenAt));
        }

        lease.EnsureCurrent();
        if (!alreadyBegun && !await checkpoints.TryBeginBatchAsync(LakeWorker.Consumer, shard.Id, owner, after, through, cancellationToken).ConfigureAwait(false))
        {
            LogLeaseLost(logger, shard.Id);
            return false;
        }

        var written = await WriteFilesAsync(shard, after, through, records, lease, cancellationToken).ConfigureAwait(false);
        lease.EnsureCurrent();
        if (!await checkpoints.TryCommitAsync(LakeWorker.Consumer, shard.Id, owner, through, ended, cancellationToken).ConfigureAwait(false))
        {
            LogLeaseLost(logger, shard.Id);
            return false;
        }

        LakeInstruments.BatchCommitted(shard.Id, written, records.Select(record => record.WrittenAt));
        LogBatchCommitted(logger, shard.Id, after, through, written);
        return true;
    }

    /// <summary>Up to <see cref="LakeOptions.MaxBatchEvents"/> events after <paramref name="position"/>; <c>Full</c> when more may be waiting.</summary>
    private async Task<(List<FeedRecord> Records, string? Last, bool Ended, bool Full)> ReadBatchAsync(FeedShard shard, string? position, CancellationToken cancellationToken)
    {
        var records = new List<FeedRecord>();
        var events = 0;
        string? last = null;
        while (events < options.MaxBatchEvents)
        {
            var page = await feed.ReadAsync(shard, last ?? position, null, Math.Min(MaxPageRecords, options.MaxBatchEvents - events), cancellationToken).ConfigureAwait(false);
            records.AddRange(page.Records);
            events += page.Records.Sum(record => record.Events.Count);
            last = page.LastPosition ?? last;
            if (page.ShardEnded)
            {
                return (records, last, true, false);
            }

            if (page.LastPosition is null)
            {
                return (records, last, false, false);
            }
        }

        return (records, last, false, true);
    }

    /// <summary>Exactly the records after <paramref name="after"/> through <paramref name="through"/>: a recorded batch, read again.</summary>
    private async Task<List<FeedRecord>> ReadRangeAsync(FeedShard shard, string? after, string through, CancellationToken cancellationToken)
    {
        var records = new List<FeedRecord>();
        var position = after;
        var empty = 0;
        while (position != through)
        {
            var page = await feed.ReadAsync(shard, position, through, MaxPageRecords, cancellationToken).ConfigureAwait(false);
            records.AddRange(page.Records);
            if (page.LastPosition is null)
            {
                if (page.ShardEnded || ++empty > MaxEmptyReplayPages)
                {
                    // The rest of the batch is gone from the feed (DynamoDB Streams keeps records for 24 hours): write what
                    // was read rather than retry forever.
                    LogReplayShort(logger, shard.Id, after, through, position);
                    break;
                }

                continue;
            }

            empty = 0;
            position = page.LastPosition;
        }

        return records;
    }

    /// <summary>Writes the batch's rows, one file per event date; records the erasures it holds first. Returns the rows written.</summary>
    private async Task<int> WriteFilesAsync(FeedShard shard, string? after, string through, List<FeedRecord> records, HeldLease lease, CancellationToken cancellationToken)
    {
        var rows = new List<EventRow>();
        var erasedHere = new List<string>();
        foreach (var record in records)
        {
            if (EventMapper.UserIdOf(record.Stream) is not { } userId)
            {
                continue;
            }

            for (var i = 0; i < record.Events.Count; i++)
            {
                if (record.Events[i] is not { } json)
                {
                    continue; // erased in the journal
                }

                var seq = record.FirstSeq + i;
                try
                {
                    using var document = JsonDocument.Parse(json);
                    if (EventMapper.TypeOf(document.RootElement) == EventMapper.ErasureType)
                    {
                        erasedHere.Add(userId);
                        continue;
                    }

                    rows.Add(EventMapper.Map(userId, seq, record.WrittenAt, document.RootElement));
                }
                catch (JsonException exception)
                {
                    LogUnreadableEvent(logger, exception, userId, seq);
                }
            }
        }

        foreach (var userId in erasedHere.Distinct(StringComparer.Ordinal))
        {
            await checkpoints.RecordErasureAsync(LakeWorker.Consumer, EventMapper.StreamOf(userId), cancellationToken).ConfigureAwait(false);
            erased.Add(userId);
            LogErasureSeen(logger, userId);
        }

        var kept = rows.Where(row => !erased.Contains(row.UserId)).ToList();
        var tag = BatchFiles.Tag(feed.Name, shard.Id, after, through);
        foreach (var day in kept.GroupBy(row => row.OccurredAt.Date))
        {
            lease.EnsureCurrent();
            await ParquetFiles.WriteAsync(storage, BatchFiles.BatchKey(day.Key, tag), [.. day], cancellationToken).ConfigureAwait(false);
        }

        return kept.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard}: writing again the batch after {After} through {Through}, recorded before a stop")]
    private static partial void LogReplaying(ILogger logger, string shard, string? after, string through);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: the batch after {After} through {Through} could only be read up to {Reached} (the rest is gone from the feed)")]
    private static partial void LogReplayShort(ILogger logger, string shard, string? after, string through, string? reached);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shard {Shard}: exported {Rows} rows, positions after {After} through {Through}")]
    private static partial void LogBatchCommitted(ILogger logger, string shard, string? after, string through, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard}: another worker took the lease over; this one stops exporting it")]
    private static partial void LogLeaseLost(ILogger logger, string shard);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} ended and is fully exported")]
    private static partial void LogShardEnded(ILogger logger, string shard);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} was erased: the lake stops taking the user's rows, and the next compaction removes those it holds")]
    private static partial void LogErasureSeen(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {Seq} of user {UserId} is not readable event JSON and is not exported")]
    private static partial void LogUnreadableEvent(ILogger logger, Exception exception, string userId, long seq);
}
