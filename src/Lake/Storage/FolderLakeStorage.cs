namespace UserData.Lake.Storage;

/// <summary>
/// The lake in a folder (<c>Lake__Path</c>). A file is written under a hidden temporary name in its own folder and renamed
/// over the old one (atomic on one file system); query engines' <c>*.parquet</c> globs skip the temporary names.
/// </summary>
public sealed class FolderLakeStorage : ILakeStorage
{
    private readonly string _root;

    public FolderLakeStorage(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _root = Path.GetFullPath(path);
    }

    public string Location => _root;

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(_root, prefix);
        IReadOnlyList<string> keys = Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories)
                .Where(file => !Path.GetFileName(file).StartsWith('.'))
                .Select(file => Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal)]
            : [];
        return Task.FromResult(keys);
    }

    public async Task WriteAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, FileOptions.Asynchronous));

    public Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            File.Delete(PathOf(key));
        }

        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, key));
        return path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? path
            : throw new ArgumentException($"The key '{key}' is outside the lake {_root}.", nameof(key));
    }
}
