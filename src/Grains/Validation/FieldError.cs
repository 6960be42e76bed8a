namespace UserData.Grains.Validation;

/// <summary>One entry of an error's <c>details</c>: the field (snake_case path), a machine-readable issue and a message.</summary>
[GenerateSerializer, Immutable, Alias("field-error")]
public sealed record FieldError([property: Id(0)] string Field, [property: Id(1)] string Issue, [property: Id(2)] string Message);

/// <summary>The issue codes used in <see cref="FieldError.Issue"/>.</summary>
public static class Issues
{
    public const string Required = "required";
    public const string TooShort = "too_short";
    public const string TooLong = "too_long";
    public const string TooMany = "too_many";
    public const string TooLarge = "too_large";
    public const string TooDeep = "too_deep";
    public const string InvalidFormat = "invalid_format";
    public const string InvalidValue = "invalid_value";
    public const string InvalidType = "invalid_type";
    public const string OutOfRange = "out_of_range";
    public const string Duplicate = "duplicate";
    public const string UnknownField = "unknown_field";
    public const string UnknownParameter = "unknown_parameter";
    public const string InvalidCharacters = "invalid_characters";
    public const string QuotaExceeded = "quota_exceeded";
}
