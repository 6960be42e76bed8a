using Orleans.EventSourcing;
using Orleans.Providers;

namespace UserData.JournalHost;

[Alias("journal-host.IAppendLogGrain")]
public interface IAppendLogGrain : IGrainWithStringKey
{
    /// <summary>Appends one entry; returns once the journal confirmed it.</summary>
    Task AppendAsync(string entry);
}

[GenerateSerializer]
[Alias("journal-host.AppendLog")]
public sealed class AppendLog
{
    [Id(0)]
    public int Count { get; set; }
}

[GenerateSerializer]
[Alias("journal-host.EntryAppended")]
public sealed record EntryAppended([property: Id(0)] string Entry);

/// <summary>The only activation of its key in a one-silo process, so a conditional append that fails is a bug.</summary>
[LogConsistencyProvider(ProviderName = Program.JournalName)]
public sealed class AppendLogGrain : JournaledGrain<AppendLog, EntryAppended>, IAppendLogGrain
{
    public async Task AppendAsync(string entry)
    {
        if (!await RaiseConditionalEvent(new EntryAppended(entry)))
        {
            throw new InvalidOperationException($"The append of {entry} to {this.GetGrainId()} conflicted, but this is the grain's only activation.");
        }
    }

    protected override void TransitionState(AppendLog state, EntryAppended @event) => state.Count++;
}
