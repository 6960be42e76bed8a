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

    public static IRuleBuilderOptions<T, string?> ValidEmail<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(IsValidEmail).WithErrorCode(Issues.InvalidFormat).WithMessage("Email must be a valid address");

    /// <summary>One local part, one @, a dotted domain; no spaces, no display names (which MailAddress would accept).</summary>
    public static bool IsValidEmail(string? email)
    {
        if (string.IsNullOrEmpty(email) || email.Length > MaxEmailLength || email.Any(char.IsWhiteSpace) || email.Any(char.IsControl))
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

    /// <summary>The form an email is compared and keyed by: trimmed and lower-case.</summary>
    public static string NormalizeEmail(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        return email.Trim().ToLowerInvariant();
    }
}
