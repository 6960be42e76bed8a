namespace UserData.Benchmarks.Lake;

/// <summary>
/// The export of a DynamoDB Local journal table's Streams. 20,000 events, not 100,000: filling DynamoDB Local with
/// 100,000 items did not fit the in-process toolchain's 5-minute limit per benchmark on this shared machine.
/// </summary>
public class DynamoDBLakeExportBenchmarks : LakeExportBenchmarks
{
    protected override string Journal => "dynamodb";

    protected override int Events => 20_000;
}
