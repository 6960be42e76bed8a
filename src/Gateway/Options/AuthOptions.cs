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
    /// An external OIDC issuer (e.g. a Cognito user pool URL) whose tokens are also accepted, validated against its
    /// discovery document and keys. Its tokens are told from ours by their <c>iss</c>, which must equal this value.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>The audience (<c>aud</c>) the external issuer's tokens must carry; required with <see cref="Authority"/>.</summary>
    public string? AuthorityAudience { get; set; }

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
            if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && !authority.IsLoopback))
            {
                yield return new ValidationResult(
                    "Auth:Authority (Auth__Authority) must be an absolute https URL (http only on loopback, for tests).", [nameof(Authority)]);
            }

            if (string.IsNullOrEmpty(AuthorityAudience))
            {
                yield return new ValidationResult(
                    "Auth:AuthorityAudience (Auth__AuthorityAudience) is required with Auth:Authority: the external tokens' audience.",
                    [nameof(AuthorityAudience)]);
            }
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
