using UserData.Grains.Tasks;
using UserData.Grains.Validation;

namespace UserData.Grains.Results;

/// <summary>Builds a result's summary from the user's tasks and the generation time, and nothing else.</summary>
public static class ResultGenerator
{
    public static ResultSummary Summarize(IEnumerable<TaskItem> tasks, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var byStatus = TaskStates.Names.ToDictionary(name => name, _ => 0, StringComparer.Ordinal);
        var byCategory = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var byTag = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int total = 0, overdue = 0;
        foreach (var task in tasks)
        {
            if (task.IsDeleted)
            {
                continue;
            }

            total++;
            byStatus[TaskStates.ToName(task.Status)]++;
            if (task.Status is TaskState.Todo or TaskState.InProgress && task.DueAt < generatedAt)
            {
                overdue++;
            }

            if (task.Metadata.Category is { } category)
            {
                byCategory[category] = byCategory.GetValueOrDefault(category) + 1;
            }

            // Tags are stored in their identity form; older ones may not be, and still count as that one tag.
            foreach (var tag in task.Metadata.Tags.Select(TextRules.IdentityKey).Distinct(StringComparer.Ordinal))
            {
                byTag[tag] = byTag.GetValueOrDefault(tag) + 1;
            }
        }

        var notArchived = total - byStatus[TaskStates.ToName(TaskState.Archived)];
        var completionRate = notArchived == 0 ? 0 : Math.Round((double)byStatus[TaskStates.ToName(TaskState.Done)] / notArchived, 4);
        return new ResultSummary(total, byStatus, completionRate, overdue, byCategory, byTag);
    }
}
