using System.Text.Json.Serialization;

namespace UserData.Grains.Identities;

[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ExternalIdentityLinked), "external-identity.linked")]
[JsonDerivedType(typeof(ExternalIdentityConfirmed), "external-identity.confirmed")]
public abstract record ExternalIdentityEvent
{
    public DateTimeOffset At { get; init; }

    public string? RequestId { get; init; }
}

/// <summary>The account signs in as this user id (chosen before the user is registered).</summary>
public sealed record ExternalIdentityLinked(string UserId) : ExternalIdentityEvent;

/// <summary>The linked user has been registered.</summary>
public sealed record ExternalIdentityConfirmed(string UserId) : ExternalIdentityEvent;
