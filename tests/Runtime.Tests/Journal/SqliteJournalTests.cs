using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UserData.Runtime.Journal;
using UserData.Runtime.Storage.Sqlite;

namespace UserData.Runtime.Tests.Journal;

public sealed class SqliteJournaledGrainTests : JournaledGrainContract, IDisposable
{
    private readonly TempDirectory _folder = new();

    protected override IJournalStorage CreateStorage() => SqliteStores.Open(_folder.File("journal.db"));

    public void Dispose() => _folder.Dispose();
}

public sealed class SqliteCrashDurabilityTests : CrashDurabilityContract, IDisposable
{
    private readonly TempDirectory _folder = new();

    private string DatabasePath => _folder.File("crash.db");

    protected override IEnumerable<string> StorageArguments => ["--Storage:Provider=Sqlite", $"--Storage:Sqlite:Path={DatabasePath}"];

    protected override IJournalStorage CreateStorage() => SqliteStores.Open(DatabasePath);

    public void Dispose() => _folder.Dispose();
}

internal static class SqliteStores
{
    public static SqliteJournalStorage Open(string path) =>
        new(Options.Create(new SqliteJournalOptions { Path = path }), NullLogger<SqliteJournalStorage>.Instance);
}
