using System.ComponentModel.DataAnnotations;

namespace UserData.Gateway.Options;

/// <summary>Token settings (configuration section <c>Auth</c>).</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";
    public const int MinSigningKeyBytes = 32;

    /// <summary>Base64 HMAC key of at least 32 bytes. Generated into the data folder for local runs.</summary>
    public string? SigningKey { get; set; }

    [Required]
    public string Issuer { get; set; } = "userdata";

    [Required]
    public string Audience { get; set; } = "userdata";

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    public byte[] SigningKeyBytes => Convert.FromBase64String(SigningKey ?? string.Empty);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        byte[]? key = null;
        try
        {
            key = string.IsNullOrEmpty(SigningKey) ? null : Convert.FromBase64String(SigningKey);
        }
        catch (FormatException)
        {
        }

        if (key is null || key.Length < MinSigningKeyBytes)
        {
            yield return new ValidationResult(
                $"Auth:SigningKey (Auth__SigningKey) must be base64 of at least {MinSigningKeyBytes} bytes; only local SQLite runs generate one.", [nameof(SigningKey)]);
        }
    }
}
