namespace UserData.Grains.Identities;

/// <summary>The stored link of one external account (grain storage, written whole).</summary>
[GenerateSerializer, Alias("external-identity-claim")]
public sealed class ExternalIdentityClaim
{
    /// <summary>The linked user id, or null before the first sign-in.</summary>
    [Id(0)]
    public string? UserId { get; set; }

    /// <summary>True once the linked user was registered: its absence then means it was erased.</summary>
    [Id(1)]
    public bool Registered { get; set; }
}
