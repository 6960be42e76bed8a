namespace UserData.Grains.Errors;

/// <summary>The caller's current role does not allow the request (whatever the role in its token says).</summary>
[GenerateSerializer, Alias("forbidden-exception")]
public sealed class ForbiddenException : DomainException
{
    public ForbiddenException() : this("The admin role is required") { }

    public ForbiddenException(string message) : base(message) { }

    public ForbiddenException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A role change would leave no admin.</summary>
[GenerateSerializer, Alias("last-admin-exception")]
public sealed class LastAdminException : DomainException
{
    public LastAdminException() : this("This is the last admin: make another user admin before removing this one's role") { }

    public LastAdminException(string message) : base(message) { }

    public LastAdminException(string message, Exception innerException) : base(message, innerException) { }
}
