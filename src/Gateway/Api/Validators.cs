using UserData.Grains.Validation;

namespace UserData.Gateway.Api;

/// <summary>The request validators; stateless, so one instance each serves every request.</summary>
public static class Validators
{
    public static RegisterRequestValidator Register { get; } = new();

    public static LoginRequestValidator Login { get; } = new();

    public static RefreshTokenRequestValidator RefreshToken { get; } = new();

    public static UpdateProfileRequestValidator Profile { get; } = new();

    public static ChangeRoleRequestValidator Role { get; } = new();

    public static TaskRequestValidator Task { get; } = new();

    public static PatchTaskRequestValidator PatchTask { get; } = new();

    public static PageQueryValidator Page { get; } = new();

    public static TaskListQueryValidator TaskList { get; } = new();
}
