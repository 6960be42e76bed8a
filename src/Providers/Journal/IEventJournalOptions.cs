using System.Text.Json;

namespace UserData.Providers.Journal;

/// <summary>The settings every event journal has, whatever its backend.</summary>
public interface IEventJournalOptions
{
    /// <summary>
    /// A snapshot of the state is stored after this many events since the last one (and at deactivation), so an activation
    /// reads the snapshot and only the events after it. Default 100.
    /// </summary>
    int SnapshotInterval { get; set; }

    /// <summary>
    /// How events (serialized as the grain's event base type, so its <c>[JsonPolymorphic]</c> discriminator is written) and
    /// snapshots are written as JSON. Default: <see cref="EventJournalJson.CreateDefaultOptions"/>. The journal makes them
    /// read-only when its first grain activates.
    /// </summary>
    JsonSerializerOptions JsonSerializerOptions { get; set; }

    /// <summary>
    /// Recognizes an event that erases history (the right to erasure). When an appended batch holds one, the journal stores
    /// the snapshot of the state as of that event, then erases the content of every earlier event, keeping their sequence
    /// numbers. Null: no event erases history.
    /// </summary>
    Func<object, bool>? ErasesHistory { get; set; }
}
