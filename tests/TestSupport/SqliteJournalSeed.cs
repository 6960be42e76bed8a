using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using UserData.Providers.Sqlite.Journal;

namespace UserData.TestSupport;

/// <summary>
/// A user journal written straight into a new SQLite file with the SQLite journal's own schema (one row per append of
/// one event), for the lake's tests and benchmarks, which need many events faster than grains append them.
/// </summary>
public static class SqliteJournalSeed
{
    /// <summary>Creates the journal's table in <paramref name="database"/> and writes <paramref name="events"/> in order.</summary>
    public static void Write(string database, IEnumerable<(string Stream, long Seq, string At, string Json)> events)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var create = connection.CreateCommand();
        create.CommandText = "PRAGMA journal_mode = WAL;" + SqliteJournalWriter.Schema;
        create.ExecuteNonQuery();
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO journal_events (stream, seq, type, written_at, append_id, data) VALUES ($stream, $seq, 'task.created', $at, $append, $data)";
        var stream = insert.Parameters.Add("$stream", SqliteType.Text);
        var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
        var at = insert.Parameters.Add("$at", SqliteType.Text);
        var append = insert.Parameters.Add("$append", SqliteType.Text);
        var data = insert.Parameters.Add("$data", SqliteType.Text);
        foreach (var entry in events)
        {
            stream.Value = entry.Stream;
            seq.Value = entry.Seq;
            at.Value = entry.At;
            append.Value = Guid.NewGuid().ToString("N");
            data.Value = entry.Json;
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>The JSON of a <c>task.created</c> event for task <c>t{n}</c>, as the user grain writes it.</summary>
    public static string TaskCreated(long n, string at, string requestId) => new JsonObject
    {
        ["type"] = "task.created",
        ["at"] = at,
        ["request_id"] = requestId,
        ["task"] = new JsonObject { ["id"] = $"t{n}", ["name"] = $"task {n}", ["status"] = "todo", ["version"] = 1, ["created_at"] = at, ["updated_at"] = at },
    }.ToJsonString();
}
