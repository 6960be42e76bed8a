using UserData.Grains.Errors;
using UserData.Grains.Validation;

namespace UserData.Grains.Tasks;

/// <summary>Rules a task change must keep against the user's other tasks.</summary>
public static class TaskRules
{
    public const int MaxActiveTasks = 100;
    public const int MaxNameLength = 255;
    public const int MaxDescriptionLength = 2000;
    public const int MaxCategoryLength = 64;
    public const int MaxTags = 20;
    public const int MaxTagLength = 32;

    /// <summary>Throws when <paramref name="candidate"/> (new, or replacing the task with its id) breaks name uniqueness or the active limit.</summary>
    public static void EnsureAllowed(IEnumerable<TaskItem> tasks, TaskItem candidate)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(candidate);
        // Names are unique as identities: in any case and width (NFKC, lower-case).
        var candidateName = TextRules.IdentityKey(candidate.Name);
        var active = 0;
        var previous = (TaskItem?)null;
        foreach (var task in tasks)
        {
            if (task.Id == candidate.Id)
            {
                previous = task;
                continue;
            }

            if (task.IsDeleted)
            {
                continue;
            }

            if (string.Equals(TextRules.IdentityKey(task.Name), candidateName, StringComparison.Ordinal))
            {
                throw new DuplicateNameException($"A task named '{candidate.Name}' already exists");
            }

            if (task.IsActive)
            {
                active++;
            }
        }

        // Only a change that makes a task active can push the count over; archiving never does.
        if (candidate.IsActive && previous is not { IsActive: true } && active >= MaxActiveTasks)
        {
            throw new TaskLimitExceededException();
        }
    }
}
