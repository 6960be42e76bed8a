namespace UserData.Grains.Tasks;

/// <summary>The <c>sort</c> query parameter: <c>field:direction</c>.</summary>
public sealed record TaskSort(string Field, bool Descending)
{
    public static IReadOnlyList<string> Fields { get; } = ["created_at", "updated_at", "name", "due_at"];

    public static bool TryParse(string? value, out TaskSort sort)
    {
        sort = new TaskSort("created_at", true);
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var parts = value.Split(':');
        var field = parts[0];
        if (!Fields.Contains(field, StringComparer.Ordinal) || parts.Length > 2)
        {
            return false;
        }

        var direction = parts.Length == 2 ? parts[1] : "asc";
        if (direction is not ("asc" or "desc"))
        {
            return false;
        }

        sort = new TaskSort(field, direction == "desc");
        return true;
    }
}
