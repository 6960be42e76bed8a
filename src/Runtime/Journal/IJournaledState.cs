namespace UserData.Runtime.Journal;

/// <summary>
/// The state of a journaled grain: a fold of its events. <see cref="Apply"/> must depend on nothing but
/// the state and the event, so that replay rebuilds exactly what the live activation had.
/// </summary>
public interface IJournaledState<in TEvent>
{
    void Apply(TEvent @event);
}
