using Parquet;
using Parquet.Serialization;

namespace UserData.Lake.Storage;

/// <summary>Rows to and from Parquet files of the lake (Parquet.Net's serializer, Snappy-compressed).</summary>
public static class ParquetFiles
{
    public static async Task WriteAsync<T>(ILakeStorage storage, string key, IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(storage);
        using var content = new MemoryStream();
        await ParquetSerializer.SerializeAsync(rows, content, cancellationToken: cancellationToken).ConfigureAwait(false);
        content.Position = 0;
        await storage.WriteAsync(key, content, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<IList<T>> ReadAsync<T>(ILakeStorage storage, string key, CancellationToken cancellationToken)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(storage);
        var content = await storage.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            return (await ParquetSerializer.DeserializeAsync<T>(content, cancellationToken: cancellationToken).ConfigureAwait(false)).Data;
        }
    }

    /// <summary>
    /// Whether <paramref name="content"/> (seekable) is a whole Parquet file: it begins and ends with the format's magic,
    /// which a file still being written lacks at its end. Leaves the position at the start.
    /// </summary>
    public static bool IsWhole(Stream content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var magic = "PAR1"u8;
        Span<byte> head = stackalloc byte[magic.Length];
        Span<byte> tail = stackalloc byte[magic.Length];
        if (content.Length < 2 * magic.Length)
        {
            return false;
        }

        content.Position = 0;
        content.ReadExactly(head);
        content.Seek(-magic.Length, SeekOrigin.End);
        content.ReadExactly(tail);
        content.Position = 0;
        return head.SequenceEqual(magic) && tail.SequenceEqual(magic);
    }

    /// <summary>Adds <paramref name="rows"/> to <paramref name="file"/> as a row group (the first call writes the file's header).</summary>
    public static async Task AppendAsync<T>(Stream file, IReadOnlyCollection<T> rows, bool first, CancellationToken cancellationToken)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(file);
        await ParquetSerializer.SerializeAsync(rows, file, new ParquetOptions { Append = !first }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
