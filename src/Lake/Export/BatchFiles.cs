using System.Security.Cryptography;
using System.Text;

namespace UserData.Lake.Export;

/// <summary>
/// Names a batch's files after the batch itself (the feed, the shard and the positions it covers), so writing a batch
/// again (after a crash, or by the worker that took the shard over) replaces its files instead of adding to them.
/// </summary>
public static class BatchFiles
{
    public const string EventsFolder = "events/";
    public const string TasksKey = "tasks/tasks.parquet";

    /// <summary>A short stable tag of the batch: the first 20 hex digits of a SHA-256 of what identifies it.</summary>
    public static string Tag(string feed, string shard, string? after, string through) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{feed}\n{shard}\n{after}\n{through}")))[..20];

    /// <summary>The date partition's folder, e.g. <c>events/event_date=2026-01-31</c> (Hive-style, as Glue and DuckDB read it).</summary>
    public static string PartitionOf(DateTime occurredAt) => $"{EventsFolder}event_date={occurredAt:yyyy-MM-dd}";

    public static string BatchKey(DateTime occurredAt, string tag) => $"{PartitionOf(occurredAt)}/part-{tag}.parquet";

    /// <summary>The partition folder of a file key under <c>events/</c>.</summary>
    public static string PartitionOfKey(string key) => key[..key.LastIndexOf('/')];
}
