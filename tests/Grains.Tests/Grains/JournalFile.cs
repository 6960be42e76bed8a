using Microsoft.Data.Sqlite;

namespace UserData.Grains.Tests.Grains;

/// <summary>A user's journal as the SQLite file holds it, read with plain SQL (what an operator would see).</summary>
public static class JournalFile
{
    public sealed record Row(long Seq, string Type, string? Data);

    /// <summary>Every event row of the grain, in sequence order, redacted ones included (their data is null).</summary>
    public static IReadOnlyList<Row> Events(UserDataCluster cluster, string grainType, string key)
    {
        using var connection = Open(cluster);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, type, data FROM journal_events WHERE stream = $stream ORDER BY seq";
        command.Parameters.AddWithValue("$stream", $"{grainType}/{key}");
        using var reader = command.ExecuteReader();
        var rows = new List<Row>();
        while (reader.Read())
        {
            rows.Add(new Row(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return rows;
    }

    /// <summary>The grain's snapshot JSON, or null.</summary>
    public static string? Snapshot(UserDataCluster cluster, string grainType, string key)
    {
        using var connection = Open(cluster);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT data FROM journal_snapshots WHERE stream = $stream";
        command.Parameters.AddWithValue("$stream", $"{grainType}/{key}");
        return command.ExecuteScalar() as string;
    }

    private static SqliteConnection Open(UserDataCluster cluster)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(cluster.Folder, "userdata.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }
}
