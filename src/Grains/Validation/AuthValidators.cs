using FluentValidation;
using UserData.Grains.Requests;

namespace UserData.Grains.Validation;

public sealed class RegisterRequestValidator : RequestValidator<RegisterRequest>
{
    public RegisterRequestValidator()
    {
        Field(request => request.Email, "email")
            .Required("Email")
            .MaxChars(ValidationRules.MaxEmailLength, "Email")
            .ValidEmail();
        Field(request => request.Password, "password")
            .Required("Password")
            .Must(password => password is null || password.Length >= ValidationRules.MinPasswordLength)
            .WithErrorCode(Issues.TooShort).WithMessage($"Password must be at least {ValidationRules.MinPasswordLength} characters")
            .MaxChars(ValidationRules.MaxPasswordLength, "Password");
        Field(request => request.DisplayName, "display_name")
            .MaxChars(ValidationRules.MaxDisplayNameLength, "Display name")
            .VisibleText("Display name");
    }
}

public sealed class LoginRequestValidator : RequestValidator<LoginRequest>
{
    public LoginRequestValidator()
    {
        Field(request => request.Email, "email")
            .Required("Email")
            .MaxChars(ValidationRules.MaxEmailLength, "Email");
        Field(request => request.Password, "password")
            .Required("Password")
            .MaxChars(ValidationRules.MaxPasswordLength, "Password");
    }
}

public sealed class RefreshTokenRequestValidator : RequestValidator<RefreshTokenRequest>
{
    public RefreshTokenRequestValidator()
    {
        Field(request => request.RefreshToken, "refresh_token")
            .Required("Refresh token")
            .MaxChars(ValidationRules.MaxRefreshTokenLength, "Refresh token");
    }
}
