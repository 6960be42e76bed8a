using System.Text.Json;
using FluentValidation;
using UserData.Grains.Patching;
using UserData.Grains.Requests;

namespace UserData.Grains.Validation;

public sealed class UpdateProfileRequestValidator : RequestValidator<UpdateProfileRequest>
{
    public UpdateProfileRequestValidator()
    {
        Field(request => request.DisplayName.Value, "display_name")
            .MaxChars(ValidationRules.MaxDisplayNameLength, "Display name")
            .VisibleText("Display name");
        Field(request => request.Attributes.Value, "attributes")
            .Must(value => value is null || value.Value.ValueKind == JsonValueKind.Object)
            .WithErrorCode(Issues.InvalidType).WithMessage("Attributes must be a JSON object")
            .Must(value => value is null || JsonMergePatch.SerializedBytes(value.Value) <= JsonMergePatch.MaxAttributesBytes)
            .WithErrorCode(Issues.TooLarge).WithMessage($"Attributes must be at most {JsonMergePatch.MaxAttributesBytes} bytes serialized")
            .Must(value => value is null || JsonMergePatch.Depth(value.Value) <= JsonMergePatch.MaxAttributesDepth)
            .WithErrorCode(Issues.TooDeep).WithMessage($"Attributes must nest at most {JsonMergePatch.MaxAttributesDepth} levels deep");
    }
}
