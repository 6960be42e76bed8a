using UserData.Gateway.Http;

namespace UserData.Gateway.Api;

/// <summary>The fields each request body may carry; anything else is an <c>unknown_field</c>.</summary>
public static class RequestSchemas
{
    public static BodySchema Register { get; } = new(["email", "password", "display_name"]);

    public static BodySchema Login { get; } = new(["email", "password"]);

    public static BodySchema RefreshToken { get; } = new(["refresh_token"]);

    public static BodySchema Profile { get; } = new(["display_name", "attributes"]);

    public static BodySchema Role { get; } = new(["role"]);

    public static BodySchema Task { get; } = new(
        ["name", "description", "status", "due_at", "metadata"],
        new Dictionary<string, IReadOnlyList<string>> { ["metadata"] = ["category", "tags"] });
}
