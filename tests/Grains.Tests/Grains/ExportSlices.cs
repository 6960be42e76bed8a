using UserData.Grains.Audit;
using UserData.Grains.Tasks;
using UserData.Grains.Users;

namespace UserData.Grains.Tests.Grains;

/// <summary>Reads a whole export from the grain slice by slice, as the gateway's GET /me/export does.</summary>
public static class ExportSlices
{
    public static async Task<List<TaskItem>> TasksAsync(IUserGrain user)
    {
        var tasks = new List<TaskItem>();
        for (IReadOnlyList<TaskItem> slice; (slice = await user.ExportTasksAsync(tasks.Count, 100)).Count > 0;)
        {
            tasks.AddRange(slice);
        }

        return tasks;
    }

    /// <summary>The audit trail kept, newest first.</summary>
    public static async Task<List<AuditEntry>> AuditAsync(IUserGrain user)
    {
        var head = await user.ExportHeadAsync();
        var entries = new List<AuditEntry>();
        for (var before = head.AuditEnd; ;)
        {
            var slice = await user.ExportAuditAsync(before, 100);
            if (slice.Count == 0)
            {
                return entries;
            }

            entries.AddRange(slice);
            before -= slice.Count;
        }
    }
}
