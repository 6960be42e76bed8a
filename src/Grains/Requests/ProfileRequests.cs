using System.Text.Json;

namespace UserData.Grains.Requests;

/// <summary>PATCH /me: an absent field is left as is; <c>attributes</c> is a JSON Merge Patch.</summary>
public sealed record UpdateProfileRequest
{
    public Optional<string> DisplayName { get; init; }

    public Optional<JsonElement?> Attributes { get; init; }
}
