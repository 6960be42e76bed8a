namespace UserData.Silo.DataProtection;

/// <summary>The stored key ring (grain storage, written whole): Data Protection's elements in the order they were stored.</summary>
[GenerateSerializer, Alias("data-protection-key-ring-state")]
public sealed class KeyRingState
{
    [Id(0)]
    public List<KeyRingElement> Elements { get; set; } = [];
}

/// <summary>One element: the name Data Protection gave it (<c>key-{id}</c>, <c>revocation-...</c>) and its XML text.</summary>
[GenerateSerializer, Immutable, Alias("data-protection-key-ring-element")]
public sealed record KeyRingElement([property: Id(0)] string Name, [property: Id(1)] string Xml);
