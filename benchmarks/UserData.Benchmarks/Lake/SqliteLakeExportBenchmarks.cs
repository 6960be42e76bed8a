namespace UserData.Benchmarks.Lake;

/// <summary>The export of an SQLite journal of 100,000 events (the journal read in commit order).</summary>
public class SqliteLakeExportBenchmarks : LakeExportBenchmarks
{
    protected override string Journal => "sqlite";

    protected override int Events => 100_000;
}
