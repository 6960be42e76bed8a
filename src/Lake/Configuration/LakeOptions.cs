namespace UserData.Lake.Configuration;

/// <summary>The data lake (configuration section <c>Lake</c>, e.g. <c>Lake__Enabled=true</c>).</summary>
public sealed class LakeOptions
{
    public const string SectionName = "Lake";

    /// <summary>Run the export worker in this silo host. Off by default.</summary>
    public bool Enabled { get; set; }

    /// <summary>The lake's folder when <see cref="S3Bucket"/> is not set; a relative path is resolved against the working directory.</summary>
    public string Path { get; set; } = "data/lake";

    /// <summary>Write the lake to this S3 bucket instead of <see cref="Path"/>.</summary>
    public string? S3Bucket { get; set; }

    /// <summary>Key prefix of the lake in <see cref="S3Bucket"/>, e.g. <c>lake/</c>; empty for the bucket's root.</summary>
    public string S3Prefix { get; set; } = string.Empty;

    /// <summary>S3 endpoint override (an S3-compatible server such as s3rver); addressed path-style.</summary>
    public string? S3ServiceUrl { get; set; }

    public string S3Region { get; set; } = "us-east-1";

    /// <summary>How often the lake is compacted: small files merged, erased users' rows removed, <c>tasks/</c> rebuilt.</summary>
    public TimeSpan CompactionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A shard's lease expires when its holder has not renewed it for this long; another worker then takes over.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a caught-up worker waits before it reads a shard again.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most events one batch (one set of Parquet files and one checkpoint) holds.</summary>
    public int MaxBatchEvents { get; set; } = 10_000;

    /// <summary>The lake's location in logs: the folder or <c>s3://bucket/prefix</c>.</summary>
    public string Location => S3Bucket is { Length: > 0 } bucket ? $"s3://{bucket}/{S3Prefix}" : System.IO.Path.GetFullPath(Path);
}
