using System.Text.Json.Serialization;
using Orleans.EventSourcing;
using Orleans.Providers;

namespace UserData.Providers.Tests.Journal;

/// <summary>A journaled grain that records named entries: small enough to reason about, real enough to fence.</summary>
[Alias("journal-tests.ITallyGrain")]
public interface ITallyGrain : IGrainWithStringKey
{
    /// <summary>Raises the entries as one conditional batch; false when another writer appended first (the state is then fresh).</summary>
    Task<bool> TryAddAsync(IReadOnlyList<string> entries);

    /// <summary>A command that re-validates and retries after a conflict, as the product's commands do; returns the conflicts it met.</summary>
    Task<int> AddWithRetriesAsync(string entry);

    /// <summary>Raises the erasing event and waits until it is confirmed.</summary>
    Task EraseAsync();

    /// <summary>Raises one conditional batch: an entry, the erasing event, another entry.</summary>
    Task<bool> TryAddAroundErasureAsync(string before, string after);

    Task<TallyView> GetAsync();

    /// <summary>Reads what other writers appended (<c>RefreshNow</c>) and returns the state.</summary>
    Task<TallyView> RefreshAsync();

    /// <summary>The confirmed events <paramref name="fromVersion"/>+1 .. <paramref name="toVersion"/>, described.</summary>
    Task<IReadOnlyList<string>> GetHistoryAsync(int fromVersion, int toVersion);
}

[GenerateSerializer]
[Alias("journal-tests.TallyView")]
public sealed record TallyView([property: Id(0)] int Version, [property: Id(1)] IReadOnlyList<string> Entries, [property: Id(2)] int Erasures, [property: Id(3)] int ConnectionIssues);

[GenerateSerializer]
[Alias("journal-tests.TallyState")]
public sealed class TallyState
{
    [Id(0)]
    public List<string> Entries { get; set; } = [];

    [Id(1)]
    public int Erasures { get; set; }
}

[GenerateSerializer]
[Alias("journal-tests.TallyEvent")]
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(EntryAdded), "entry_added")]
[JsonDerivedType(typeof(EntriesErased), "entries_erased")]
public abstract record TallyEvent
{
    /// <summary>The journal option that recognizes the erasing event.</summary>
    public static bool ErasesHistory(object @event) => @event is EntriesErased;
}

[GenerateSerializer]
[Alias("journal-tests.EntryAdded")]
public sealed record EntryAdded([property: Id(0)] string Entry) : TallyEvent;

[GenerateSerializer]
[Alias("journal-tests.EntriesErased")]
public sealed record EntriesErased : TallyEvent;

[LogConsistencyProvider(ProviderName = JournalBackend.ProviderName)]
public sealed class TallyGrain : JournaledGrain<TallyState, TallyEvent>, ITallyGrain
{
    private int _connectionIssues;

    public Task<bool> TryAddAsync(IReadOnlyList<string> entries) => RaiseConditionalEvents(entries.Select(entry => new EntryAdded(entry)));

    public async Task<int> AddWithRetriesAsync(string entry)
    {
        var conflicts = 0;
        while (!await RaiseConditionalEvent(new EntryAdded(entry)))
        {
            conflicts++;
        }

        return conflicts;
    }

    public async Task EraseAsync()
    {
        RaiseEvent(new EntriesErased());
        await ConfirmEvents();
    }

    public Task<bool> TryAddAroundErasureAsync(string before, string after) =>
        RaiseConditionalEvents<TallyEvent>([new EntryAdded(before), new EntriesErased(), new EntryAdded(after)]);

    public Task<TallyView> GetAsync() => Task.FromResult(View());

    public async Task<TallyView> RefreshAsync()
    {
        await RefreshNow();
        return View();
    }

    public async Task<IReadOnlyList<string>> GetHistoryAsync(int fromVersion, int toVersion) =>
        [.. (await RetrieveConfirmedEvents(fromVersion, toVersion)).Select(Describe)];

    protected override void TransitionState(TallyState state, TallyEvent @event)
    {
        switch (@event)
        {
            case EntryAdded added:
                state.Entries.Add(added.Entry);
                break;
            case EntriesErased:
                state.Entries.Clear();
                state.Erasures++;
                break;
        }
    }

    protected override void OnConnectionIssue(ConnectionIssue issue) => _connectionIssues++;

    private static string Describe(TallyEvent @event) => @event switch
    {
        EntryAdded added => added.Entry,
        EntriesErased => "(erased)",
        _ => @event.GetType().Name,
    };

    private TallyView View() => new(Version, [.. State.Entries], State.Erasures, _connectionIssues);
}
