using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using DuckDB.NET.Data;
using UserData.Lake.Export;
using UserData.Lake.Query;
using UserData.Lake.Rows;
using UserData.Lake.Storage;

namespace UserData.Benchmarks.Lake;

/// <summary>
/// SQL over a lake of 1,000,000 events with the lake's query (<see cref="LakeQuery"/>, what
/// <c>dotnet run --project src/Lake -- query</c> runs): the issue's <c>SELECT status, count(*) FROM tasks GROUP BY 1</c>
/// and a count by event type over <c>events</c>. The lake is as the worker leaves it between compactions: 100 batch
/// files of 10,000 rows in 10 date partitions, and <c>tasks/tasks.parquet</c> (300,000 tasks). The baseline runs the same
/// SQL with DuckDB over the same rows in one file per table.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class LakeQueryBenchmarks
{
    public const int Events = 1_000_000;
    private const int Users = 10_000;
    private const int BatchEvents = 10_000;

    private string _folder = string.Empty;

    [Params("tasks", "events")]
    public string Table { get; set; } = "tasks";

    private string Sql => Table == "tasks"
        ? "SELECT status, count(*) FROM tasks GROUP BY 1"
        : "SELECT event_type, count(*) AS events, count(DISTINCT user_id) AS users FROM events GROUP BY 1 ORDER BY 1";

    private string LakeFolder => Path.Combine(_folder, "lake");

    private string OneFileFolder => Path.Combine(_folder, "one-file");

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _folder = Directory.CreateTempSubdirectory("userdata-lake-query-bench-").FullName;
        var storage = new FolderLakeStorage(LakeFolder);
        var tasks = new Dictionary<(string, string), TaskRow>();
        var batch = new List<EventRow>(BatchEvents);
        foreach (var row in Rows())
        {
            if (row.EventType == "task.deleted")
            {
                tasks.Remove((row.UserId, row.TaskId!));
            }
            else if (row.TaskId is not null)
            {
                tasks[(row.UserId, row.TaskId)] = TaskRow.From(row);
            }

            batch.Add(row);
            if (batch.Count == BatchEvents)
            {
                var tag = BatchFiles.Tag("bench", "journal", batch[0].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), Guid.NewGuid().ToString("N"));
                foreach (var day in batch.GroupBy(entry => entry.OccurredAt.Date))
                {
                    await ParquetFiles.WriteAsync(storage, BatchFiles.BatchKey(day.Key, tag), [.. day], CancellationToken.None);
                }

                batch.Clear();
            }
        }

        await ParquetFiles.WriteAsync(storage, BatchFiles.TasksKey, tasks.Values, CancellationToken.None);

        Directory.CreateDirectory(OneFileFolder);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            COPY (SELECT * FROM read_parquet('{LakeFolder}/events/*/*.parquet', hive_partitioning = true)) TO '{OneFileFolder}/events.parquet' (FORMAT parquet);
            COPY (SELECT * FROM read_parquet('{LakeFolder}/tasks/*.parquet')) TO '{OneFileFolder}/tasks.parquet' (FORMAT parquet);
            """;
        command.ExecuteNonQuery();
    }

    [GlobalCleanup]
    public void CleanUp() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true)]
    public async Task<long> OneFilePerTable()
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE VIEW events AS SELECT * FROM read_parquet('{OneFileFolder}/events.parquet');
            CREATE VIEW tasks AS SELECT * FROM read_parquet('{OneFileFolder}/tasks.parquet');
            """;
        await command.ExecuteNonQueryAsync();
        command.CommandText = Sql;
        using var reader = await command.ExecuteReaderAsync();
        long rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
        }

        return rows;
    }

    [Benchmark]
    public Task<long> Lake() => LakeQuery.RunAsync(new FolderLakeStorage(LakeFolder), Sql, TextWriter.Null, CancellationToken.None);

    /// <summary>
    /// <see cref="Users"/> users' events in time order over 10 days: per user of every 10 events 4 tasks created, 4
    /// updates of them, 1 deletion and 1 profile change (so 300,000 tasks remain).
    /// </summary>
    private static IEnumerable<EventRow> Rows()
    {
        var start = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        var spacing = TimeSpan.FromDays(10) / Events;
        for (var i = 0; i < Events; i++)
        {
            var user = $"u{i % Users:D5}";
            var seq = (i / Users) + 1;
            var at = start + (spacing * i);
            var row = new EventRow { UserId = user, Seq = seq, OccurredAt = at, WrittenAt = at, RequestId = $"r{i}" };
            switch (seq % 10)
            {
                case >= 1 and <= 4:
                    row.EventType = "task.created";
                    SetTask(row, $"t{seq}", "todo", 1);
                    break;
                case >= 5 and <= 8:
                    row.EventType = "task.updated";
                    SetTask(row, $"t{seq - 4}", seq % 2 == 0 ? "done" : "doing", 2);
                    row.ChangedFields = ["status"];
                    break;
                case 9:
                    row.EventType = "task.deleted";
                    row.TaskId = $"t{seq - 8}";
                    break;
                default:
                    row.EventType = "profile.updated";
                    row.ChangedFields = ["attributes"];
                    break;
            }

            yield return row;
        }
    }

    private static void SetTask(EventRow row, string id, string status, long version)
    {
        row.TaskId = id;
        row.TaskName = $"task {id}";
        row.TaskStatus = status;
        row.TaskVersion = version;
        row.TaskCreatedAt = row.OccurredAt;
        row.TaskUpdatedAt = row.OccurredAt;
    }
}
