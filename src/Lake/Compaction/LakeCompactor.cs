using System.Diagnostics;
using Microsoft.Extensions.Logging;
using UserData.Lake.Diagnostics;
using UserData.Lake.Export;
using UserData.Lake.Rows;
using UserData.Lake.Storage;
using UserData.Providers.ChangeFeed;

namespace UserData.Lake.Compaction;

/// <summary>
/// One compaction cycle, run by the worker that holds the compaction lease every <c>Lake__CompactionInterval</c>: per date
/// partition of <c>events/</c>, the files of committed batches are merged into one, without the rows of erased users and
/// without a second copy of any (user, seq); <c>tasks/tasks.parquet</c> is rebuilt from all events (each task's latest
/// created/updated/deleted event; deleted tasks and erased users' left out) and replaced whole; each erasure carried out
/// for the first time is logged as the audit of it.
/// </summary>
/// <remarks>
/// The files are listed before the in-flight batches are read from the checkpoint store: a file listed while its batch was
/// still in flight is left alone (it may be written again), and a file written after the listing is left for the next
/// cycle. A merged file is written before its inputs are deleted, so a crash in between leaves duplicates that the next
/// cycle removes, never a gap. Every cycle reads the whole lake; it is built for lakes of millions of events, not billions.
/// </remarks>
internal sealed partial class LakeCompactor(IChangeFeed feed, IChangeFeedCheckpoints checkpoints, ILakeStorage storage, ErasedUsers erased, ILogger logger)
{
    /// <summary>Rows per row group of a merged file.</summary>
    private const int RowGroupRows = 100_000;

    private static readonly HashSet<string> TaskEvents = new(["task.created", "task.updated", "task.deleted"], StringComparer.Ordinal);

    public async Task CompactAsync(HeldLease lease, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var erasures = await checkpoints.ListErasuresAsync(LakeWorker.Consumer, cancellationToken).ConfigureAwait(false);
        var erasedIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var erasure in erasures)
        {
            if (EventMapper.UserIdOf(erasure.Stream) is { } userId)
            {
                erasedIds.Add(userId);
                erased.Add(userId);
            }
        }

        var files = await storage.ListAsync(BatchFiles.EventsFolder, cancellationToken).ConfigureAwait(false);
        var inFlight = (await checkpoints.ListShardsAsync(LakeWorker.Consumer, cancellationToken).ConfigureAwait(false))
            .Where(shard => shard.PendingThrough is not null)
            .Select(shard => BatchFiles.Tag(feed.Name, shard.Shard, shard.PendingAfter, shard.PendingThrough!))
            .ToList();
        var cycle = new Cycle(erasedIds);
        foreach (var partition in files.GroupBy(BatchFiles.PartitionOfKey, StringComparer.Ordinal))
        {
            var committed = new List<string>();
            foreach (var key in partition)
            {
                if (inFlight.Any(tag => key.Contains(tag, StringComparison.Ordinal)))
                {
                    await FoldInFlightAsync(key, cycle, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    committed.Add(key);
                }
            }

            lease.EnsureCurrent();
            await CompactPartitionAsync(partition.Key, committed, cycle, lease, cancellationToken).ConfigureAwait(false);
        }

        lease.EnsureCurrent();
        var tasks = cycle.Tasks.Values
            .Where(row => row.EventType != "task.deleted" && !erasedIds.Contains(row.UserId))
            .OrderBy(row => row.UserId, StringComparer.Ordinal).ThenBy(row => row.TaskId, StringComparer.Ordinal)
            .Select(TaskRow.From)
            .ToList();
        await ParquetFiles.WriteAsync(storage, BatchFiles.TasksKey, tasks, cancellationToken).ConfigureAwait(false);

        foreach (var erasure in erasures)
        {
            if (EventMapper.UserIdOf(erasure.Stream) is not { } userId || cycle.Deferred.Contains(userId))
            {
                continue;
            }

            var removed = cycle.Removed.GetValueOrDefault(userId);
            if (!erasure.Applied)
            {
                LogErasureApplied(logger, userId, storage.Location, removed);
                await checkpoints.MarkErasureAppliedAsync(LakeWorker.Consumer, erasure.Stream, cancellationToken).ConfigureAwait(false);
            }
            else if (removed > 0)
            {
                LogLateRowsRemoved(logger, userId, storage.Location, removed);
            }
        }

        var erasedRows = cycle.Removed.Values.Sum();
        LakeInstruments.Compacted(Stopwatch.GetElapsedTime(started), erasedRows);
        LogCompacted(logger, storage.Location, files.Count, cycle.Merged, tasks.Count, erasedRows, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Merges the partition's committed files into one when there are several or when rows must go; otherwise leaves it.</summary>
    private async Task CompactPartitionAsync(string partition, List<string> keys, Cycle cycle, HeldLease lease, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        var seen = new HashSet<(string, long)>();
        var changed = keys.Count > 1;
        var temporary = Path.Combine(Path.GetTempPath(), $"userdata-lake-{Guid.NewGuid():N}.parquet");
        try
        {
            var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
            await using (output.ConfigureAwait(false))
            {
                var buffer = new List<EventRow>();
                var first = true;
                foreach (var key in keys)
                {
                    foreach (var row in await ParquetFiles.ReadAsync<EventRow>(storage, key, cancellationToken).ConfigureAwait(false))
                    {
                        if (cycle.Erased.Contains(row.UserId))
                        {
                            cycle.Removed[row.UserId] = cycle.Removed.GetValueOrDefault(row.UserId) + 1;
                            changed = true;
                        }
                        else if (!seen.Add((row.UserId, row.Seq)))
                        {
                            changed = true;
                        }
                        else
                        {
                            cycle.Fold(row);
                            buffer.Add(row);
                        }
                    }

                    if (buffer.Count >= RowGroupRows)
                    {
                        await ParquetFiles.AppendAsync(output, buffer, first, cancellationToken).ConfigureAwait(false);
                        first = false;
                        buffer.Clear();
                    }
                }

                if (!changed)
                {
                    return;
                }

                if (buffer.Count > 0)
                {
                    await ParquetFiles.AppendAsync(output, buffer, first, cancellationToken).ConfigureAwait(false);
                    first = false;
                }

                lease.EnsureCurrent();
                if (!first)
                {
                    output.Position = 0;
                    var merged = $"{partition}/compacted-{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}.parquet";
                    await storage.WriteAsync(merged, output, cancellationToken).ConfigureAwait(false);
                }
            }

            await storage.DeleteAsync(keys, cancellationToken).ConfigureAwait(false);
            cycle.Merged += keys.Count;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>A file of a batch still in flight: its rows count for <c>tasks/</c>, but it is rewritten only once committed.</summary>
    private async Task FoldInFlightAsync(string key, Cycle cycle, CancellationToken cancellationToken)
    {
        foreach (var row in await ParquetFiles.ReadAsync<EventRow>(storage, key, cancellationToken).ConfigureAwait(false))
        {
            if (cycle.Erased.Contains(row.UserId))
            {
                cycle.Deferred.Add(row.UserId);
            }
            else
            {
                cycle.Fold(row);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Erasure of user {UserId} carried out in the lake {Lake}: {Rows} rows removed; no lake file holds the user's data any more")]
    private static partial void LogErasureApplied(ILogger logger, string userId, string lake, long rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Rows} rows of erased user {UserId} from the lake {Lake} that a batch in flight at the erasure had written")]
    private static partial void LogLateRowsRemoved(ILogger logger, string userId, string lake, long rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compacted the lake {Lake}: {Files} event files, {Merged} merged, {Tasks} tasks, {ErasedRows} rows of erased users removed, in {ElapsedMilliseconds} ms")]
    private static partial void LogCompacted(ILogger logger, string lake, int files, int merged, int tasks, long erasedRows, double elapsedMilliseconds);

    /// <summary>What one cycle gathers while it reads the partitions.</summary>
    private sealed class Cycle(HashSet<string> erased)
    {
        public HashSet<string> Erased { get; } = erased;

        /// <summary>Each task's latest event by sequence number.</summary>
        public Dictionary<(string UserId, string TaskId), EventRow> Tasks { get; } = [];

        public Dictionary<string, long> Removed { get; } = new(StringComparer.Ordinal);

        /// <summary>Erased users with rows in a batch still in flight: their erasure is logged once those are gone too.</summary>
        public HashSet<string> Deferred { get; } = new(StringComparer.Ordinal);

        public int Merged { get; set; }

        public void Fold(EventRow row)
        {
            if (row.TaskId is { } taskId && TaskEvents.Contains(row.EventType)
                && (!Tasks.TryGetValue((row.UserId, taskId), out var latest) || latest.Seq < row.Seq))
            {
                Tasks[(row.UserId, taskId)] = row;
            }
        }
    }
}
