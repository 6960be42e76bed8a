using UserData.Runtime.Journal;

namespace UserData.Runtime.Tests.Storage;

/// <summary>The storage contract against a real dynalite.</summary>
public sealed class DynamoDbJournalStorageTests(DynamoDbFixture dynamo) : JournalStorageContract, IClassFixture<DynamoDbFixture>
{
    protected override IJournalStorage Storage => dynamo.Storage;
}
