using Orleans;
using Orleans.Runtime;

namespace UserData.Providers.Journal;

/// <summary>Checks a named event journal's options when the silo starts; a message names the journal and the setting.</summary>
internal sealed class EventJournalOptionsValidator<TOptions>(TOptions options, string name, Action<TOptions, string> validateBackend)
    : IConfigurationValidator
    where TOptions : IEventJournalOptions
{
    public void ValidateConfiguration()
    {
        var journal = $"Event journal '{name}' ({typeof(TOptions).Name})";
        if (options.SnapshotInterval < 1)
        {
            throw new OrleansConfigurationException($"{journal}: SnapshotInterval must be at least 1, not {options.SnapshotInterval}.");
        }

        if (options.JsonSerializerOptions is null)
        {
            throw new OrleansConfigurationException($"{journal}: JsonSerializerOptions must be set.");
        }

        validateBackend(options, journal);
    }
}
