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

    /// <summary>
    /// A retention policy: given the view, the sequence number through which it no longer wants its events' content (0: it
    /// wants all of it). After storing a snapshot the journal erases the content of the events through that number, never
    /// past the snapshot (which stands in for them at replay), keeping their sequence numbers as an erasure does; a grain
    /// must then not read those events, which are skipped. The number must never decrease as events are applied. Null:
    /// history is kept whole.
    /// </summary>
    Func<object, long>? CompactableThrough { get; set; }

    /// <summary>
    /// Told, for every event read back from the journal, the size of its stored JSON in UTF-8 bytes, before the event is
    /// applied: a view that accounts for its history's size takes it from here instead of serializing the event again.
    /// Null: nobody is told.
    /// </summary>
    Action<object, int>? EventRead { get; set; }
}
