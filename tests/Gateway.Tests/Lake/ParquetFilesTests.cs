using UserData.Lake.Rows;
using UserData.Lake.Storage;

namespace UserData.Gateway.Tests.Lake;

/// <summary>
/// A lake query copies an S3 lake before DuckDB reads it, and copies again when a file is not whole: a store that
/// overwrites objects in place (s3rver) can serve a file that compaction is still writing, which is a prefix of it.
/// </summary>
public sealed class ParquetFilesTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("userdata-parquet-whole-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task A_file_the_lake_wrote_is_whole_and_every_prefix_of_it_is_not()
    {
        var storage = new FolderLakeStorage(_folder.FullName);
        EventRow[] rows = [new() { UserId = "u1", Seq = 1, EventType = "task.created" }, new() { UserId = "u1", Seq = 2, EventType = "task.renamed" }];
        await ParquetFiles.WriteAsync(storage, "events/batch.parquet", rows, CancellationToken.None);
        byte[] bytes;
        await using (var file = await storage.OpenReadAsync("events/batch.parquet", CancellationToken.None))
        {
            using var copy = new MemoryStream();
            await file.CopyToAsync(copy);
            bytes = copy.ToArray();
        }

        using var whole = new MemoryStream(bytes);
        Assert.True(ParquetFiles.IsWhole(whole));
        Assert.Equal(0, whole.Position);
        foreach (var length in new[] { 0, 4, 7, 8, bytes.Length / 2, bytes.Length - 4, bytes.Length - 1 })
        {
            Assert.False(ParquetFiles.IsWhole(new MemoryStream(bytes[..length])), $"a prefix of {length} of {bytes.Length} bytes");
        }
    }
}
