using UserData.Providers.Journal;

namespace UserData.Providers.Tests.Journal;

/// <summary>What the journal's contract suites share: a fresh backend per test, and a store of the test's own on it.</summary>
public abstract class JournalBackendTests : IAsyncLifetime
{
    private JournalBackend? _backend;
    private IEventJournalStore? _store;

    protected JournalBackend Backend => _backend ?? throw new InvalidOperationException("Created in InitializeAsync.");

    /// <summary>A started store on the backend's data, for looking at and writing to it directly (as another process would).</summary>
    internal IEventJournalStore Store => _store ?? throw new InvalidOperationException("Opened in InitializeAsync.");

    public async Task InitializeAsync()
    {
        _backend = await CreateBackendAsync();
        _store = await _backend.OpenStoreAsync();
    }

    public async Task DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }

    protected abstract Task<JournalBackend> CreateBackendAsync();
}
