using Microsoft.Extensions.Options;

namespace UserData.Lake.Configuration;

/// <summary>Checks the lake's settings at start; each message names the environment variable to fix.</summary>
internal sealed class LakeOptionsValidator : IValidateOptions<LakeOptions>
{
    public ValidateOptionsResult Validate(string? name, LakeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.S3Bucket) && string.IsNullOrWhiteSpace(options.Path))
        {
            errors.Add("Lake__Path must name the lake's folder (or set Lake__S3Bucket).");
        }

        if (!string.IsNullOrEmpty(options.S3Bucket) && !IsBucketName(options.S3Bucket))
        {
            errors.Add($"Lake__S3Bucket must be an S3 bucket name (3-63 lowercase letters, digits, '.' and '-'), not '{options.S3Bucket}'.");
        }

        if (options.S3Prefix.Length > 0 && (options.S3Prefix.StartsWith('/') || !options.S3Prefix.EndsWith('/')))
        {
            errors.Add($"Lake__S3Prefix must be a key prefix ending in '/' and not starting with one, such as 'lake/', not '{options.S3Prefix}'.");
        }

        if (!string.IsNullOrEmpty(options.S3ServiceUrl)
            && !(Uri.TryCreate(options.S3ServiceUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            errors.Add($"Lake__S3ServiceUrl must be an absolute http or https URL, not '{options.S3ServiceUrl}'.");
        }

        Check(errors, "Lake__CompactionInterval", options.CompactionInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Check(errors, "Lake__LeaseDuration", options.LeaseDuration, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Check(errors, "Lake__PollInterval", options.PollInterval, TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(10));
        if (options.MaxBatchEvents is < 1 or > 1_000_000)
        {
            errors.Add($"Lake__MaxBatchEvents must be between 1 and 1000000, not {options.MaxBatchEvents}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{setting} must be between {min} and {max}, not {value}.");
        }
    }

    private static bool IsBucketName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
}
