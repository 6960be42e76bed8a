namespace UserData.Grains.Errors;

/// <summary>
/// A rule of the API contract was broken. Each subclass stands for one error code of api.md; the gateway
/// maps the type to the status and code, and the message is safe to show to the client.
/// </summary>
[GenerateSerializer, Alias("domain-exception")]
public abstract class DomainException : Exception
{
    protected DomainException(string message) : base(message) { }

    protected DomainException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The user, task or result does not exist (or was deleted).</summary>
[GenerateSerializer, Alias("not-found-exception")]
public sealed class NotFoundException : DomainException
{
    public NotFoundException() : this("Resource not found") { }

    public NotFoundException(string message) : base(message) { }

    public NotFoundException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The user's account does not exist or was erased: its tokens no longer work.</summary>
[GenerateSerializer, Alias("user-not-found-exception")]
public sealed class UserNotFoundException : DomainException
{
    public UserNotFoundException() : this("User not found") { }

    public UserNotFoundException(string message) : base(message) { }

    public UserNotFoundException(string message, Exception innerException) : base(message, innerException) { }
}

[GenerateSerializer, Alias("duplicate-name-exception")]
public sealed class DuplicateNameException : DomainException
{
    public DuplicateNameException() : this("A task with this name already exists") { }

    public DuplicateNameException(string message) : base(message) { }

    public DuplicateNameException(string message, Exception innerException) : base(message, innerException) { }
}

[GenerateSerializer, Alias("task-limit-exceeded-exception")]
public sealed class TaskLimitExceededException : DomainException
{
    public TaskLimitExceededException() : this($"At most {Tasks.TaskRules.MaxActiveTasks} active tasks are allowed") { }

    public TaskLimitExceededException(string message) : base(message) { }

    public TaskLimitExceededException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The If-Match version is not the current one.</summary>
[GenerateSerializer, Alias("precondition-failed-exception")]
public sealed class PreconditionFailedException : DomainException
{
    public PreconditionFailedException() : this("The resource was changed since it was read") { }

    public PreconditionFailedException(string message) : base(message) { }

    public PreconditionFailedException(string message, Exception innerException) : base(message, innerException) { }
}

[GenerateSerializer, Alias("email-taken-exception")]
public sealed class EmailTakenException : DomainException
{
    public EmailTakenException() : this("This email is already registered") { }

    public EmailTakenException(string message) : base(message) { }

    public EmailTakenException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The Idempotency-Key was used before with a different request body.</summary>
[GenerateSerializer, Alias("idempotency-key-reused-exception")]
public sealed class IdempotencyKeyReusedException : DomainException
{
    public IdempotencyKeyReusedException() : this("This Idempotency-Key was used with a different request") { }

    public IdempotencyKeyReusedException(string message) : base(message) { }

    public IdempotencyKeyReusedException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A refresh token that is unknown, expired, used before or revoked.</summary>
[GenerateSerializer, Alias("invalid-refresh-token-exception")]
public sealed class InvalidRefreshTokenException : DomainException
{
    public InvalidRefreshTokenException() : this("The refresh token is invalid") { }

    public InvalidRefreshTokenException(string message) : base(message) { }

    public InvalidRefreshTokenException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A value is valid alone but not against the stored state (e.g. merged attributes too large).</summary>
[GenerateSerializer, Alias("domain-validation-exception")]
public sealed class DomainValidationException : DomainException
{
    public DomainValidationException() : this([]) { }

    public DomainValidationException(string message) : base(message) => Details = [];

    public DomainValidationException(string message, Exception innerException) : base(message, innerException) => Details = [];

    public DomainValidationException(IReadOnlyList<Validation.FieldError> details) : base("Invalid request data") => Details = details;

    [Id(0)]
    public IReadOnlyList<Validation.FieldError> Details { get; }
}

/// <summary>
/// A command lost the race to another writer of the same grain so many times in a row that it gave up: nothing was
/// changed, and the client may retry (a 503, not a client error).
/// </summary>
[GenerateSerializer, Alias("concurrent-writer-exception")]
public sealed class ConcurrentWriterException : Exception
{
    public ConcurrentWriterException() : this("Another writer changed the data; try again") { }

    public ConcurrentWriterException(string message) : base(message) { }

    public ConcurrentWriterException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The change would take the user past a storage quota; <see cref="Details"/> say which.</summary>
[GenerateSerializer, Alias("quota-exceeded-exception")]
public sealed class QuotaExceededException : DomainException
{
    public QuotaExceededException() : this([]) { }

    public QuotaExceededException(string message) : base(message) => Details = [];

    public QuotaExceededException(string message, Exception innerException) : base(message, innerException) => Details = [];

    public QuotaExceededException(IReadOnlyList<Validation.FieldError> details) : base("The user's storage quota is used up") => Details = details;

    [Id(0)]
    public IReadOnlyList<Validation.FieldError> Details { get; }
}
