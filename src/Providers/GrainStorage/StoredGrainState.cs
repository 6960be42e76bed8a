namespace UserData.Providers.GrainStorage;

/// <summary>One stored record: the state as JSON text, null once cleared without deleting the record, and its ETag.</summary>
internal sealed record StoredGrainState(string ETag, string? Json);
