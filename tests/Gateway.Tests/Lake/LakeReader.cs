using UserData.Lake.Query;
using UserData.Lake.Storage;

namespace UserData.Gateway.Tests.Lake;

/// <summary>Reads the lake the way an analyst does: SQL through the lake's DuckDB query, rows as tab-separated lines.</summary>
internal static class LakeReader
{
    /// <summary>The result rows (without the header); none when the table has no file yet.</summary>
    public static async Task<List<string>> RowsAsync(ILakeStorage storage, string sql)
    {
        using var output = new StringWriter();
        try
        {
            await LakeQuery.RunAsync(storage, sql, output, CancellationToken.None);
        }
        catch (DuckDB.NET.Data.DuckDBException exception) when (exception.Message.Contains("does not exist", StringComparison.Ordinal))
        {
            return [];
        }

        return [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.TrimEnd('\r'))];
    }

    /// <summary>Every value and column name of every row of both tables, as one text.</summary>
    public static async Task<string> EverythingAsync(ILakeStorage storage)
    {
        using var output = new StringWriter();
        foreach (var table in new[] { "events", "tasks" })
        {
            await LakeQuery.RunAsync(storage, $"SELECT * FROM {table}", output, CancellationToken.None);
        }

        return output.ToString();
    }
}
