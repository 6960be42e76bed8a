using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using UserData.Lake.Configuration;

namespace UserData.Lake.Storage;

/// <summary>Makes the storage the options name: S3 when <see cref="LakeOptions.S3Bucket"/> is set, the folder otherwise.</summary>
public static class LakeStorageFactory
{
    public static ILakeStorage Create(LakeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.S3Bucket))
        {
            return new FolderLakeStorage(options.Path);
        }

        return new S3LakeStorage(CreateClient(options), options.S3Bucket, options.S3Prefix);
    }

    private static AmazonS3Client CreateClient(LakeOptions options)
    {
        if (string.IsNullOrEmpty(options.S3ServiceUrl))
        {
            return new AmazonS3Client(new AmazonS3Config { RegionEndpoint = RegionEndpoint.GetBySystemName(options.S3Region) });
        }

        // An S3-compatible server (s3rver) takes any credentials and is addressed path-style.
        // The SDK's default integrity checksums are newer than most S3-compatible servers: only where S3 requires them.
        var config = new AmazonS3Config
        {
            ServiceURL = options.S3ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = options.S3Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        AWSCredentials credentials;
        try
        {
            credentials = DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
        }
        catch (AmazonClientException)
        {
            credentials = new BasicAWSCredentials("local", "local");
        }

        return new AmazonS3Client(credentials, config);
    }
}
