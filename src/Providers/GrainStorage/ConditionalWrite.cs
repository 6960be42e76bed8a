namespace UserData.Providers.GrainStorage;

/// <summary>The outcome of a write or delete conditioned on the stored ETag.</summary>
internal readonly record struct ConditionalWrite
{
    private ConditionalWrite(bool applied, string? storedETag)
    {
        Applied = applied;
        StoredETag = storedETag;
    }

    public static ConditionalWrite Done { get; } = new(true, null);

    /// <summary>True when the record was written (or deleted); false when another writer's ETag was stored.</summary>
    public bool Applied { get; }

    /// <summary>After a conflict, the ETag found in storage; null when there was no record.</summary>
    public string? StoredETag { get; }

    public static ConditionalWrite Conflict(string? storedETag) => new(false, storedETag);
}
