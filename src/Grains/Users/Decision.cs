namespace UserData.Grains.Users;

/// <summary>What a command decided: the events to raise (none: nothing changes) and its answer, read once they are confirmed.</summary>
internal readonly record struct Decision<T>(IReadOnlyList<UserEvent> Events, Func<T> Answer);

internal static class Decision
{
    /// <summary>Nothing to change: answer at once.</summary>
    public static Decision<T> Answer<T>(T answer) => new([], () => answer);

    /// <summary>Raise the events, then answer <paramref name="answer"/>.</summary>
    public static Decision<T> Raise<T>(T answer, params IReadOnlyList<UserEvent> events) => new(events, () => answer);

    /// <summary>Raise the events, then answer what <paramref name="readAnswer"/> reads from the state they produced.</summary>
    public static Decision<T> RaiseThen<T>(Func<T> readAnswer, params IReadOnlyList<UserEvent> events) => new(events, readAnswer);
}
