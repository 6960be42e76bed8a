namespace UserData.Grains.Tasks;

/// <summary>The wire names of <see cref="TaskState"/> (<c>todo</c>, <c>in_progress</c>, <c>done</c>, <c>archived</c>).</summary>
public static class TaskStates
{
    public static IReadOnlyList<string> Names { get; } = ["todo", "in_progress", "done", "archived"];

    public static string ToName(TaskState state) => Names[(int)state];

    public static bool TryParse(string? name, out TaskState state)
    {
        var index = name is null ? -1 : IndexOf(name);
        state = index < 0 ? default : (TaskState)index;
        return index >= 0;
    }

    private static int IndexOf(string name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
