using System.Text.Json.Serialization;
using UserData.Runtime.Cluster.Membership;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

namespace UserData.Cluster.Tests.Grains;

/// <summary>A journaled grain for cluster tests: appends named entries and says which silo runs it.</summary>
public interface ILedgerGrain : IGrain
{
    /// <summary>Appends one entry; returns the version after it.</summary>
    Task<long> AddAsync(string entry);

    [ReadOnly]
    Task<IReadOnlyList<string>> GetEntriesAsync();

    /// <summary>The id of the silo this activation runs on.</summary>
    [ReadOnly]
    Task<string> WhereAsync();

    /// <summary>The W3C trace id the call runs under (empty without one).</summary>
    [ReadOnly]
    Task<string> TraceIdAsync();

    /// <summary>Throws: <c>argument</c> an <see cref="ArgumentException"/>, <c>rule</c> a <see cref="LedgerRuleException"/>.</summary>
    Task ThrowAsync(string kind, string message);
}

/// <summary>A domain exception type that exists on both sides of the silo port.</summary>
public sealed class LedgerRuleException : Exception
{
    public LedgerRuleException() : this("A ledger rule was broken.") { }

    public LedgerRuleException(string message) : base(message) { }

    public LedgerRuleException(string message, Exception innerException) : base(message, innerException) { }
}

public sealed class LedgerGrain(IClusterMembership membership) : JournaledGrain<LedgerState, LedgerEvent>, ILedgerGrain
{
    public async Task<long> AddAsync(string entry)
    {
        await RaiseEventsAsync([new LedgerEntryAdded(entry)]);
        return Version;
    }

    public Task<IReadOnlyList<string>> GetEntriesAsync() => Task.FromResult<IReadOnlyList<string>>([.. State.Entries]);

    public Task<string> WhereAsync() => Task.FromResult(membership.LocalSiloId ?? "none");

    public Task<string> TraceIdAsync() => Task.FromResult(System.Diagnostics.Activity.Current?.TraceId.ToHexString() ?? string.Empty);

    public Task ThrowAsync(string kind, string message) => kind switch
    {
        "argument" => throw new ArgumentException(message),
        "rule" => throw new LedgerRuleException(message),
        _ => throw new InvalidOperationException(message),
    };
}

public sealed class LedgerState : IJournaledState<LedgerEvent>
{
    public List<string> Entries { get; init; } = [];

    public void Apply(LedgerEvent @event)
    {
        if (@event is LedgerEntryAdded added)
        {
            Entries.Add(added.Entry);
        }
    }
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(LedgerEntryAdded), "entry.added")]
public abstract record LedgerEvent;

public sealed record LedgerEntryAdded(string Entry) : LedgerEvent;
