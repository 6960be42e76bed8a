namespace UserData.Lake.Storage;

/// <summary>
/// Where the lake's files are: a folder or an S3 prefix. Keys are relative to the lake's root and use '/', e.g.
/// <c>events/event_date=2026-01-31/part-0a1b.parquet</c>. A write replaces the file whole and atomically: a reader sees
/// the old file or the new one, never a part.
/// </summary>
public interface ILakeStorage
{
    /// <summary>The lake's location in logs: the folder, or <c>s3://bucket/prefix</c>.</summary>
    string Location { get; }

    /// <summary>The keys of the <c>.parquet</c> files under <paramref name="prefix"/> (e.g. <c>events/</c>).</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="content"/> (read from its current position) as the file <paramref name="key"/>, replacing any.</summary>
    Task WriteAsync(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>The file's content as a seekable stream.</summary>
    /// <exception cref="FileNotFoundException">There is no such file (compaction may have removed it since it was listed).</exception>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes the files; a missing one is no error.</summary>
    Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);
}
