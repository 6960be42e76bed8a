using System.Text.Json;

namespace UserData.Grains.Requests;

/// <summary>PATCH /me: an absent field is left as is; <c>attributes</c> is a JSON Merge Patch.</summary>
[GenerateSerializer, Immutable, Alias("update-profile-request")]
public sealed record UpdateProfileRequest
{
    [Id(0)]
    public Optional<string> DisplayName { get; init; }

    [Id(1)]
    public Optional<JsonElement?> Attributes { get; init; }
}
