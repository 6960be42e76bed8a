using DuckDB.NET.Data;
using Microsoft.Extensions.Configuration;
using UserData.Lake.Configuration;
using UserData.Lake.Query;
using UserData.Lake.Storage;

// dotnet run --project src/Lake -- query "SELECT status, count(*) FROM tasks GROUP BY 1"
// The lake is where the service writes it: Lake__Path (default data/lake, relative to the working directory) or
// Lake__S3Bucket (with Lake__S3Prefix, Lake__S3ServiceUrl), from the environment or as --Lake:Path=... after the SQL.
const string Usage = """
    usage: UserData.Lake query "<SQL>" [--Lake:Path=<folder> | --Lake:S3Bucket=<bucket> [--Lake:S3Prefix=<prefix>]]

    Runs SQL over the data lake with DuckDB. Tables: events (one row per user event, partition column event_date) and
    tasks (every task that exists now). The lake is Lake__Path (default data/lake) or Lake__S3Bucket.
    """;

if (args.Length < 2 || args[0] != "query" || string.IsNullOrWhiteSpace(args[1]))
{
    await Console.Error.WriteLineAsync(Usage);
    return 1;
}

var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args[2..]).Build();
var options = new LakeOptions();
configuration.GetSection(LakeOptions.SectionName).Bind(options);
var storage = LakeStorageFactory.Create(options);
try
{
    await LakeQuery.RunAsync(storage, args[1], Console.Out, CancellationToken.None);
    return 0;
}
catch (DuckDBException exception)
{
    await Console.Error.WriteLineAsync($"The query failed on the lake {storage.Location}: {exception.Message}");
    return 2;
}
finally
{
    (storage as IDisposable)?.Dispose();
}
