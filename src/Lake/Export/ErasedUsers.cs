using System.Collections.Concurrent;

namespace UserData.Lake.Export;

/// <summary>The users this worker knows to be erased: their rows are not written, and compaction removes any written.</summary>
internal sealed class ErasedUsers
{
    private readonly ConcurrentDictionary<string, bool> _users = new(StringComparer.Ordinal);

    public bool Contains(string userId) => _users.ContainsKey(userId);

    public void Add(string userId) => _users.TryAdd(userId, true);
}
