using UserData.Grains.Common;
using UserData.Grains.Requests;
using UserData.Grains.Validation;

namespace UserData.Grains.Tasks;

/// <summary>Filters, orders and pages the non-deleted tasks for GET /me/tasks.</summary>
public static class TaskQuery
{
    public static Page<TaskView> Run(IEnumerable<TaskItem> tasks, TaskListQuery query)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(query);
        if (!TaskSort.TryParse(query.Sort, out var sort))
        {
            throw new ArgumentException($"Invalid sort '{query.Sort}'.", nameof(query));
        }

        TaskState? status = TaskStates.TryParse(query.Status, out var parsed) ? parsed : null;
        var tag = query.Tag is null ? null : TextRules.IdentityKey(query.Tag);
        var matching = tasks.Where(task => !task.IsDeleted
            && (status is null || task.Status == status)
            && (query.Category is null || string.Equals(task.Metadata.Category, query.Category, StringComparison.Ordinal))
            && (tag is null || task.Metadata.Tags.Any(candidate => string.Equals(TextRules.IdentityKey(candidate), tag, StringComparison.Ordinal))))
            .ToList();

        // The id breaks ties so that pages never overlap or skip when keys are equal.
        IOrderedEnumerable<TaskItem> ordered = sort.Field switch
        {
            "name" => Order(matching, task => task.Name, StringComparer.OrdinalIgnoreCase, sort.Descending),
            "updated_at" => Order(matching, task => task.UpdatedAt, Comparer<DateTimeOffset>.Default, sort.Descending),
            "due_at" => Order(matching, task => task.DueAt, NullsLast, sort.Descending),
            _ => Order(matching, task => task.CreatedAt, Comparer<DateTimeOffset>.Default, sort.Descending),
        };
        var withTieBreak = ordered.ThenBy(task => task.Id, StringComparer.Ordinal);
        return Page<TaskView>.Of(withTieBreak.Select(TaskView.From), matching.Count, query.Limit, query.Offset);
    }

    private static Comparer<DateTimeOffset?> NullsLast { get; } = Comparer<DateTimeOffset?>.Create((left, right) =>
        (left, right) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            _ => left.Value.CompareTo(right.Value),
        });

    private static IOrderedEnumerable<TaskItem> Order<TKey>(List<TaskItem> tasks, Func<TaskItem, TKey> key, IComparer<TKey> comparer, bool descending) =>
        descending ? tasks.OrderByDescending(key, comparer) : tasks.OrderBy(key, comparer);
}
