using FluentValidation;
using UserData.Grains.Requests;
using UserData.Grains.Users;

namespace UserData.Grains.Validation;

public sealed class ChangeRoleRequestValidator : RequestValidator<ChangeRoleRequest>
{
    public ChangeRoleRequestValidator()
    {
        Field(request => request.Role, "role")
            .Required("Role")
            .Must(Roles.IsRole)
            .WithErrorCode(Issues.InvalidValue).WithMessage($"Role must be {Roles.Admin} or {Roles.User}");
    }
}
