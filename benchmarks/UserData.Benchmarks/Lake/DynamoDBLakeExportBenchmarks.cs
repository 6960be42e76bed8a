namespace UserData.Benchmarks.Lake;

/// <summary>The export of a DynamoDB Local journal table's Streams of 100,000 events (one record per append).</summary>
public class DynamoDBLakeExportBenchmarks : LakeExportBenchmarks
{
    protected override string Journal => "dynamodb";

    protected override int Events => 100_000;
}
