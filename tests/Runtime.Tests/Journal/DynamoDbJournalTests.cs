using UserData.Runtime.Journal;
using UserData.Runtime.Tests.Storage;

namespace UserData.Runtime.Tests.Journal;

public sealed class DynamoDbJournaledGrainTests(DynamoDbFixture dynamo) : JournaledGrainContract, IClassFixture<DynamoDbFixture>
{
    protected override IJournalStorage CreateStorage() => dynamo.CreateStorage(dynamo.TablePrefix);
}

public sealed class DynamoDbCrashDurabilityTests(DynamoDbFixture dynamo) : CrashDurabilityContract, IClassFixture<DynamoDbFixture>
{
    protected override IEnumerable<string> StorageArguments =>
    [
        "--Storage:Provider=DynamoDB",
        $"--Storage:DynamoDB:ServiceUrl={dynamo.ServiceUrl}",
        $"--Storage:DynamoDB:TablePrefix={dynamo.TablePrefix}",
    ];

    protected override IJournalStorage CreateStorage() => dynamo.CreateStorage(dynamo.TablePrefix);
}
