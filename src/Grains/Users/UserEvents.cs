using System.Text.Json;
using System.Text.Json.Serialization;
using UserData.Grains.Audit;
using UserData.Grains.Results;
using UserData.Grains.Tasks;

namespace UserData.Grains.Users;

/// <summary>
/// An event of a user's journal. It carries its own time and request id (so that replay is deterministic
/// and the audit trail can name the request), and the discriminator is the audit action name.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(UserRegistered), "user.registered")]
[JsonDerivedType(typeof(ProfileUpdated), "profile.updated")]
[JsonDerivedType(typeof(TaskCreated), "task.created")]
[JsonDerivedType(typeof(TaskUpdated), "task.updated")]
[JsonDerivedType(typeof(TaskDeleted), "task.deleted")]
[JsonDerivedType(typeof(ResultGenerated), "result.generated")]
[JsonDerivedType(typeof(SessionStarted), "session.started")]
[JsonDerivedType(typeof(SessionRotated), "session.rotated")]
[JsonDerivedType(typeof(SessionRevoked), "session.revoked")]
[JsonDerivedType(typeof(IdempotencyRecorded), "idempotency.recorded")]
[JsonDerivedType(typeof(UserErased), "user.erased")]
[JsonDerivedType(typeof(RegistrationAbandoned), "user.registration_abandoned")]
public abstract record UserEvent
{
    public DateTimeOffset At { get; init; }

    public string? RequestId { get; init; }
}

/// <summary>The password hash is journaled (it is the user's credential) but never shown in the audit trail.</summary>
public sealed record UserRegistered(string UserId, string Email, string PasswordHash, string? DisplayName, string Role) : UserEvent;

/// <summary>The profile after the change, and what changed.</summary>
public sealed record ProfileUpdated(string? DisplayName, JsonElement Attributes, IReadOnlyDictionary<string, FieldChange> Changes) : UserEvent;

public sealed record TaskCreated(TaskItem Task) : UserEvent;

/// <summary>The task after the change, and what changed.</summary>
public sealed record TaskUpdated(TaskItem Task, IReadOnlyDictionary<string, FieldChange> Changes) : UserEvent;

public sealed record TaskDeleted(string TaskId) : UserEvent;

public sealed record ResultGenerated(GeneratedResult Result) : UserEvent;

public sealed record SessionStarted(string FamilyId, string TokenHash, DateTimeOffset ExpiresAt) : UserEvent;

public sealed record SessionRotated(string FamilyId, string TokenHash, DateTimeOffset ExpiresAt) : UserEvent;

/// <summary>Logout (<c>logout</c>) or a detected reuse of a rotated refresh token (<c>reuse</c>).</summary>
public sealed record SessionRevoked(string FamilyId, string Reason) : UserEvent;

public sealed record IdempotencyRecorded(IdempotencyRecord Record) : UserEvent;

/// <summary>The account is erased: the state forgets everything it held about the user.</summary>
public sealed record UserErased : UserEvent;

/// <summary>
/// The email claim that named this (never registered) user id was taken over by another registration: the id
/// is dead, so a registration still in flight for it can no longer complete.
/// </summary>
public sealed record RegistrationAbandoned : UserEvent;
