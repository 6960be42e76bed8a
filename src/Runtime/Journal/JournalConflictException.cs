using UserData.Runtime.Grains;

namespace UserData.Runtime.Journal;

/// <summary>An append found its sequence numbers already taken: another activation wrote first.</summary>
public sealed class JournalConflictException : Exception
{
    public JournalConflictException() : this("The journal append conflicted with another writer.") { }

    public JournalConflictException(string message) : base(message) { }

    public JournalConflictException(string message, Exception innerException) : base(message, innerException) { }

    public JournalConflictException(GrainId grainId, long expectedVersion)
        : base($"Journal of {grainId} already has events after version {expectedVersion}: another activation wrote first.")
    {
    }
}
