using System.Text.Json.Serialization;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.JournalWriter;

/// <summary>A journaled grain that records named entries: small enough to reason about, real enough to fence.</summary>
public interface ITallyGrain : IGrain
{
    /// <summary>Appends one entry and returns the grain's version after it.</summary>
    Task<long> AddAsync(string entry);

    /// <summary>Appends several entries as one append.</summary>
    Task<long> AddManyAsync(IReadOnlyList<string> entries);

    [ReadOnly]
    Task<TallySnapshot> GetAsync();

    [ReadOnly]
    Task<IReadOnlyList<string>> GetHistoryAsync();

    /// <summary>Clears the entries and erases them from storage (the right to erasure).</summary>
    Task EraseAsync();

    /// <summary>Deactivates after this call (as idle collection would).</summary>
    Task DeactivateAsync();
}

public sealed record TallySnapshot(long Version, IReadOnlyList<string> Entries, Guid ActivationId);

public sealed class TallyGrain : JournaledGrain<TallyState, TallyEvent>, ITallyGrain
{
    private readonly Guid _activationId = Guid.NewGuid();

    public Task<long> AddAsync(string entry) => AddManyAsync([entry]);

    public async Task<long> AddManyAsync(IReadOnlyList<string> entries)
    {
        await RaiseEventsAsync([.. entries.Select(entry => new EntryAdded(entry))]);
        return Version;
    }

    public Task<TallySnapshot> GetAsync() => Task.FromResult(new TallySnapshot(Version, [.. State.Entries], _activationId));

    public async Task<IReadOnlyList<string>> GetHistoryAsync()
    {
        var history = await ReadJournalAsync(0, int.MaxValue);
        return [.. history.Select(entry => $"{entry.Seq}:{((EntryAdded)entry.Event).Entry}")];
    }

    public async Task EraseAsync()
    {
        await RaiseEventAsync(new EntriesCleared());
        await EraseHistoryAsync();
    }

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

public sealed class TallyState : IJournaledState<TallyEvent>
{
    public List<string> Entries { get; init; } = [];

    public void Apply(TallyEvent @event)
    {
        switch (@event)
        {
            case EntryAdded added:
                Entries.Add(added.Entry);
                break;
            case EntriesCleared:
                Entries.Clear();
                break;
        }
    }
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(EntryAdded), "entry.added")]
[JsonDerivedType(typeof(EntriesCleared), "entries.cleared")]
public abstract record TallyEvent;

public sealed record EntryAdded(string Entry) : TallyEvent;

public sealed record EntriesCleared : TallyEvent;
