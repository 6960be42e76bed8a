using System.Diagnostics;
using UserData.Lake.Export;
using UserData.Lake.Rows;
using UserData.Lake.Storage;

namespace UserData.Gateway.Tests.Lake;

/// <summary>
/// The query command as an analyst runs it (<c>dotnet run --project src/Lake -- query "..."</c>; here the built
/// <c>UserData.Lake.dll</c>) over a lake folder named by <c>Lake__Path</c>.
/// </summary>
public sealed class LakeQueryCommandTests : IAsyncLifetime
{
    private readonly string _lake = Directory.CreateTempSubdirectory("userdata-lake-query-").FullName;

    public async Task InitializeAsync()
    {
        var storage = new FolderLakeStorage(_lake);
        var day = new DateTime(2026, 1, 31, 12, 0, 0, DateTimeKind.Utc);
        EventRow Created(string user, long seq, string status) => new()
        {
            UserId = user,
            Seq = seq,
            EventType = "task.created",
            OccurredAt = day,
            WrittenAt = day,
            TaskId = $"{user}-{seq}",
            TaskName = $"task {seq}",
            TaskStatus = status,
        };

        var events = new List<EventRow> { Created("u1", 2, "todo"), Created("u1", 3, "done"), Created("u2", 2, "todo") };
        await ParquetFiles.WriteAsync(storage, BatchFiles.BatchKey(day, "a"), events, CancellationToken.None);
        await ParquetFiles.WriteAsync(storage, BatchFiles.TasksKey, [.. events.Select(TaskRow.From)], CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_lake, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Query_prints_the_result_of_the_sql_over_the_lake_folder()
    {
        var (exitCode, output, error) = await RunAsync("query", "SELECT status, count(*) AS tasks FROM tasks GROUP BY 1 ORDER BY 1");

        Assert.True(exitCode == 0, error);
        Assert.Equal(["status\ttasks", "done\t1", "todo\t2"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Query_reads_events_with_their_date_partition()
    {
        var (exitCode, output, error) = await RunAsync("query", "SELECT event_date, count(*) FROM events GROUP BY 1");

        Assert.True(exitCode == 0, error);
        Assert.Contains("2026-01-31\t3", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_sql_fails_with_duckdb_s_message_and_exit_code_2()
    {
        var (exitCode, _, error) = await RunAsync("query", "SELECT nope FROM tasks");

        Assert.Equal(2, exitCode);
        Assert.Contains("nope", error, StringComparison.Ordinal);
        Assert.Contains(_lake, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_sql_it_prints_its_usage_and_exit_code_1()
    {
        var (exitCode, _, error) = await RunAsync("query");

        Assert.Equal(1, exitCode);
        Assert.Contains("usage: UserData.Lake query", error, StringComparison.Ordinal);
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["Lake__Path"] = _lake },
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "UserData.Lake.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, (await output).Replace("\r", string.Empty, StringComparison.Ordinal), await error);
    }
}
