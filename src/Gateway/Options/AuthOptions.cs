using System.ComponentModel.DataAnnotations;

namespace UserData.Gateway.Options;

/// <summary>Token settings (configuration section <c>Auth</c>).</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";
    public const int MinSigningKeyBytes = 32;

    /// <summary>Base64 HMAC key of at least 32 bytes. Generated into the data folder for local runs.</summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// Base64 HMAC key of at least 32 bytes that email grains are keyed by (an HMAC of the address, so storage never
    /// holds the address in a grain key). Unlike the signing key it is never rotated: a new key loses every
    /// email's claim. Generated into the data folder for local runs.
    /// </summary>
    public string? EmailKey { get; set; }

    /// <summary>
    /// An external OIDC issuer whose tokens would also be accepted (architecture.md). Not implemented: a value stops
    /// the start, so that nobody deploys expecting those tokens to work.
    /// </summary>
    public string? Authority { get; set; }

    [Required]
    public string Issuer { get; set; } = "userdata";

    [Required]
    public string Audience { get; set; } = "userdata";

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    public byte[] SigningKeyBytes => Convert.FromBase64String(SigningKey ?? string.Empty);

    public byte[] EmailKeyBytes => Convert.FromBase64String(EmailKey ?? string.Empty);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new[] { (nameof(SigningKey), SigningKey), (nameof(EmailKey), EmailKey) })
        {
            if (!IsKey(value))
            {
                yield return new ValidationResult(
                    $"Auth:{name} (Auth__{name}) must be base64 of at least {MinSigningKeyBytes} bytes; only local SQLite runs generate one.", [name]);
            }
        }

        if (!string.IsNullOrEmpty(Authority))
        {
            yield return new ValidationResult(
                "Auth:Authority (Auth__Authority): external OIDC issuers are not supported yet; only this gateway's own tokens are accepted.",
                [nameof(Authority)]);
        }
    }

    private static bool IsKey(string? value)
    {
        try
        {
            return !string.IsNullOrEmpty(value) && Convert.FromBase64String(value).Length >= MinSigningKeyBytes;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
