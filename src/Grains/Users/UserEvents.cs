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
[JsonDerivedType(typeof(RoleChanged), "role.changed")]
[GenerateSerializer, Alias("user-event")]
public abstract record UserEvent
{
    [Id(0)]
    public DateTimeOffset At { get; init; }

    [Id(1)]
    public string? RequestId { get; init; }
}

/// <summary>The password hash is journaled (it is the user's credential) but never shown in the audit trail.</summary>
[GenerateSerializer, Alias("user-registered")]
public sealed record UserRegistered(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Email,
    [property: Id(2)] string PasswordHash,
    [property: Id(3)] string? DisplayName,
    [property: Id(4)] string Role)
    : UserEvent;

/// <summary>The profile after the change, and what changed.</summary>
[GenerateSerializer, Alias("profile-updated")]
public sealed record ProfileUpdated(
    [property: Id(0)] string? DisplayName,
    [property: Id(1)] JsonElement Attributes,
    [property: Id(2)] IReadOnlyDictionary<string, FieldChange> Changes)
    : UserEvent;

[GenerateSerializer, Alias("task-created")]
public sealed record TaskCreated([property: Id(0)] TaskItem Task) : UserEvent;

/// <summary>The task after the change, and what changed.</summary>
[GenerateSerializer, Alias("task-updated")]
public sealed record TaskUpdated(
    [property: Id(0)] TaskItem Task,
    [property: Id(1)] IReadOnlyDictionary<string, FieldChange> Changes)
    : UserEvent;

[GenerateSerializer, Alias("task-deleted")]
public sealed record TaskDeleted([property: Id(0)] string TaskId) : UserEvent;

[GenerateSerializer, Alias("result-generated")]
public sealed record ResultGenerated([property: Id(0)] GeneratedResult Result) : UserEvent;

[GenerateSerializer, Alias("session-started")]
public sealed record SessionStarted(
    [property: Id(0)] string FamilyId,
    [property: Id(1)] string TokenHash,
    [property: Id(2)] DateTimeOffset ExpiresAt)
    : UserEvent;

[GenerateSerializer, Alias("session-rotated")]
public sealed record SessionRotated(
    [property: Id(0)] string FamilyId,
    [property: Id(1)] string TokenHash,
    [property: Id(2)] DateTimeOffset ExpiresAt)
    : UserEvent;

/// <summary>Logout (<c>logout</c>) or a detected reuse of a rotated refresh token (<c>reuse</c>).</summary>
[GenerateSerializer, Alias("session-revoked")]
public sealed record SessionRevoked([property: Id(0)] string FamilyId, [property: Id(1)] string Reason) : UserEvent;

[GenerateSerializer, Alias("idempotency-recorded")]
public sealed record IdempotencyRecorded([property: Id(0)] IdempotencyRecord Record) : UserEvent;

/// <summary>The account is erased: the state forgets everything it held about the user.</summary>
[GenerateSerializer, Alias("user-erased")]
public sealed record UserErased : UserEvent;

/// <summary>
/// The email claim that named this (never registered) user id was taken over by another registration: the id
/// is dead, so a registration still in flight for it can no longer complete.
/// </summary>
[GenerateSerializer, Alias("registration-abandoned")]
public sealed record RegistrationAbandoned : UserEvent;

/// <summary>
/// The role went from <see cref="OldRole"/> to <see cref="Role"/>, changed by <see cref="ChangedBy"/>: the acting admin's
/// user id, or <see cref="Roles.BootstrapActor"/> when <c>Bootstrap__AdminEmails</c> promoted the account at sign-in.
/// </summary>
[GenerateSerializer, Alias("role-changed")]
public sealed record RoleChanged(
    [property: Id(0)] string OldRole,
    [property: Id(1)] string Role,
    [property: Id(2)] string ChangedBy)
    : UserEvent;
