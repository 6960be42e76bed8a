using Amazon.S3;
using Amazon.S3.Model;

namespace UserData.Lake.Storage;

/// <summary>The lake in S3 (<c>Lake__S3Bucket</c>, under <c>Lake__S3Prefix</c>); a PUT replaces an object atomically.</summary>
public sealed class S3LakeStorage : ILakeStorage, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly string _bucket;
    private readonly string _prefix;

    public S3LakeStorage(IAmazonS3 s3, string bucket, string prefix)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        _s3 = s3;
        _bucket = bucket;
        _prefix = prefix ?? string.Empty;
    }

    public string Location => $"s3://{_bucket}/{_prefix}";

    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix };
        ListObjectsV2Response page;
        do
        {
            page = await _s3.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            keys.AddRange((page.S3Objects ?? [])
                .Select(entry => entry.Key[_prefix.Length..])
                .Where(key => key.EndsWith(".parquet", StringComparison.Ordinal)));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    public async Task WriteAsync(string key, Stream content, CancellationToken cancellationToken) =>
        await _s3.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = _bucket,
                Key = _prefix + key,
                InputStream = content,
                AutoCloseStream = false,
                ContentType = "application/vnd.apache.parquet",

                // The content is a seekable stream: signed whole rather than sent aws-chunked, which S3-compatible servers
                // such as s3rver would store as is.
                UseChunkEncoding = false,
            },
            cancellationToken).ConfigureAwait(false);

    public async Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        GetObjectResponse answer;
        try
        {
            // Ranged over the whole object: the SDK checks an unranged GET's body against the ETag as an MD5, which S3-compatible
            // servers (s3rver) do not all give; a Parquet file is checked by its reader anyway.
            answer = await _s3.GetObjectAsync(
                new GetObjectRequest { BucketName = _bucket, Key = _prefix + key, ByteRange = new ByteRange(0, long.MaxValue - 1) },
                cancellationToken).ConfigureAwait(false);
        }
        catch (NoSuchKeyException exception)
        {
            throw new FileNotFoundException($"{Location}{key} is gone (compaction replaces files).", key, exception);
        }

        using var response = answer;
        var copy = new MemoryStream();
        await answer.ResponseStream.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        copy.Position = 0;
        return copy;
    }

    public async Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var chunk in keys.Chunk(1000))
        {
            await _s3.DeleteObjectsAsync(
                new DeleteObjectsRequest { BucketName = _bucket, Objects = [.. chunk.Select(key => new KeyVersion { Key = _prefix + key })] },
                cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _s3.Dispose();
}
