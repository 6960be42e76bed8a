using UserData.Providers.Journal;

namespace UserData.Providers.Tests.Journal;

/// <summary>
/// One backend's real store for the journal tests: the silo's journal on it, stores of the tests' own on the same data
/// (as another process would open them), and a look at every stored byte.
/// </summary>
public abstract class JournalBackend : IAsyncDisposable
{
    /// <summary>The journal's name, as the test grain's <c>[LogConsistencyProvider]</c> gives it.</summary>
    public const string ProviderName = "Journal";

    /// <summary>The backend's name in the journal's metrics: <c>sqlite</c> or <c>dynamodb</c>.</summary>
    public abstract string Provider { get; }

    /// <summary>Adds the journal <see cref="ProviderName"/> on this backend to <paramref name="silo"/>, with <paramref name="configure"/> applied last.</summary>
    public abstract void AddJournal(ISiloBuilder silo, Action<IEventJournalOptions> configure);

    /// <summary>A started store of its own on the backend's data, stopped when the backend is disposed.</summary>
    internal abstract Task<IEventJournalStore> OpenStoreAsync();

    /// <summary>Whether any stored byte of the journal (every row or item of both tables, and for SQLite the files) holds <paramref name="text"/>.</summary>
    public abstract Task<bool> StoresTextAsync(string text);

    public abstract ValueTask DisposeAsync();
}
