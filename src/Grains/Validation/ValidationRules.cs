using System.Net.Mail;
using FluentValidation;

namespace UserData.Grains.Validation;

/// <summary>Rules shared by several request validators, each reporting the issue code the API documents.</summary>
public static class ValidationRules
{
    public const int MaxEmailLength = 254;
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;
    public const int MaxDisplayNameLength = 100;
    public const int MaxRefreshTokenLength = 512;

    public static IRuleBuilderOptions<T, string?> Required<T>(this IRuleBuilder<T, string?> rule, string label) =>
        rule.NotEmpty().WithErrorCode(Issues.Required).WithMessage($"{label} is required");

    public static IRuleBuilderOptions<T, string?> MaxChars<T>(this IRuleBuilder<T, string?> rule, int max, string label) =>
        rule.Must(value => value is null || value.Length <= max)
            .WithErrorCode(Issues.TooLong).WithMessage($"{label} must be at most {max} characters");

    /// <summary>The address as it will be stored (<see cref="NormalizeEmail"/>) must be valid.</summary>
    public static IRuleBuilderOptions<T, string?> ValidEmail<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(email => email is not null && IsValidEmail(NormalizeEmail(email))).WithErrorCode(Issues.InvalidFormat).WithMessage("Email must be a valid address");

    /// <summary>
    /// Text a person reads as a name or label: blank is left to the field's own rule; otherwise it must hold no control,
    /// format (zero-width, bidi) character and show something (<see cref="TextRules"/>).
    /// </summary>
    public static IRuleBuilderOptions<T, string?> VisibleText<T>(this IRuleBuilder<T, string?> rule, string label) =>
        rule.Must(text => string.IsNullOrWhiteSpace(text) || !TextRules.IsUnacceptableLabel(text))
            .WithErrorCode(Issues.InvalidCharacters).WithMessage($"{label} must show something and hold no control, zero-width or bidi-override characters");

    /// <summary>
    /// One local part, one @, a dotted domain; no spaces, no display names (which MailAddress would accept), no control,
    /// zero-width or bidi characters.
    /// </summary>
    public static bool IsValidEmail(string? email)
    {
        if (string.IsNullOrEmpty(email) || email.Length > MaxEmailLength || email.Any(char.IsWhiteSpace) || TextRules.HasForbiddenCharacters(email, allowJoiners: false))
        {
            return false;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1)
        {
            return false;
        }

        var domain = email[(at + 1)..];
        if (!domain.Contains('.', StringComparison.Ordinal) || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        return MailAddress.TryCreate(email, out var parsed) && string.Equals(parsed.Address, email, StringComparison.Ordinal);
    }

    /// <summary>The form an email is compared, keyed and stored by: trimmed, NFKC, lower-case (<see cref="TextRules.IdentityKey"/>).</summary>
    public static string NormalizeEmail(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return TextRules.IdentityKey(email.Trim());
    }
}
