using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using UserData.Lake.Export;
using UserData.Lake.Storage;

namespace UserData.Lake.Query;

/// <summary>
/// SQL over the lake with DuckDB: the views <c>events</c> (every file under <c>events/</c>, with the Hive partition column
/// <c>event_date</c>) and <c>tasks</c>, the same names the stack's Glue tables give Athena. An S3 lake is copied to a
/// temporary folder first (DuckDB's S3 support is an extension it downloads, which these machines cannot).
/// </summary>
public static class LakeQuery
{
    /// <summary>Compaction may delete a file between DuckDB's listing of a folder and its reading of the file: then the query runs again.</summary>
    private const int Attempts = 5;

    /// <summary>Runs <paramref name="sql"/> and writes the result to <paramref name="output"/> as tab-separated text with a header line.</summary>
    /// <returns>The number of rows written.</returns>
    /// <exception cref="DuckDBException">The SQL failed (its message says why).</exception>
    public static async Task<long> RunAsync(ILakeStorage storage, string sql, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(output);
        if (storage is FolderLakeStorage)
        {
            return await RunInFolderAsync(storage.Location, sql, output, cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RunOverCopyAsync(storage, sql, output, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (attempt < Attempts && exception is FileNotFoundException or InvalidDataException)
            {
                // Compaction replaced a file between the listing and the copy (gone), or, on a store that overwrites
                // objects in place (s3rver; never S3 itself), was still writing it (not whole): list and copy again.
            }
        }
    }

    private static async Task<long> RunOverCopyAsync(ILakeStorage storage, string sql, TextWriter output, CancellationToken cancellationToken)
    {
        var copy = Directory.CreateTempSubdirectory("userdata-lake-query-");
        try
        {
            var local = new FolderLakeStorage(copy.FullName);
            foreach (var key in (await storage.ListAsync(BatchFiles.EventsFolder, cancellationToken).ConfigureAwait(false))
                .Concat(await storage.ListAsync("tasks/", cancellationToken).ConfigureAwait(false)))
            {
                var content = await storage.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
                await using (content.ConfigureAwait(false))
                {
                    if (!ParquetFiles.IsWhole(content))
                    {
                        throw new InvalidDataException($"{storage.Location}{key} is not a whole Parquet file: it is still being written.");
                    }

                    await local.WriteAsync(key, content, cancellationToken).ConfigureAwait(false);
                }
            }

            return await RunInFolderAsync(copy.FullName, sql, output, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static async Task<long> RunInFolderAsync(string folder, string sql, TextWriter output, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RunOnceInFolderAsync(folder, sql, output, cancellationToken).ConfigureAwait(false);
            }
            catch (DuckDBException exception) when (attempt < Attempts && exception.Message.Contains("No such file or directory", StringComparison.Ordinal))
            {
            }
        }
    }

    private static async Task<long> RunOnceInFolderAsync(string folder, string sql, TextWriter output, CancellationToken cancellationToken)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await CreateViewAsync(connection, "events", Path.Combine(folder, "events"), "*/*.parquet", hive: true, cancellationToken).ConfigureAwait(false);
        await CreateViewAsync(connection, "tasks", Path.Combine(folder, "tasks"), "*.parquet", hive: false, cancellationToken).ConfigureAwait(false);

        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            await output.WriteLineAsync(string.Join('\t', Enumerable.Range(0, reader.FieldCount).Select(reader.GetName))).ConfigureAwait(false);
            long rows = 0;
            var line = new StringBuilder();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                line.Clear();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    line.Append(i == 0 ? string.Empty : "\t").Append(Format(reader.IsDBNull(i) ? null : reader.GetValue(i)));
                }

                await output.WriteLineAsync(line.ToString()).ConfigureAwait(false);
                rows++;
            }

            return rows;
        }
    }

    /// <summary>A view over the folder's files; none when the folder holds none yet (querying it then says the table does not exist).</summary>
    private static async Task CreateViewAsync(DuckDBConnection connection, string name, string folder, string pattern, bool hive, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder) || !Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories).Any(file => !Path.GetFileName(file).StartsWith('.')))
        {
            return;
        }

        using var command = connection.CreateCommand();
        var glob = Path.Combine(folder, pattern).Replace("'", "''", StringComparison.Ordinal);
        command.CommandText = $"CREATE VIEW {name} AS SELECT * FROM read_parquet('{glob}'{(hive ? ", hive_partitioning = true" : string.Empty)})";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Format(object? value) => value switch
    {
        null => "NULL",
        DateTime time => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        string text => text,
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Format)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
