namespace UserData.Runtime.Cluster.Transport;

/// <summary>A remote grain threw an exception whose type cannot be loaded here: its type name and message.</summary>
public sealed class RemoteGrainException : Exception
{
    public RemoteGrainException() : this("A remote grain call failed.") { }

    public RemoteGrainException(string message) : base(message) { }

    public RemoteGrainException(string message, Exception innerException) : base(message, innerException) { }

    public RemoteGrainException(string exceptionType, string message) : base(message)
    {
        ExceptionType = exceptionType;
    }

    /// <summary>The full name of the exception's type on the silo that threw it.</summary>
    public string? ExceptionType { get; }
}

/// <summary>
/// The connection to the owning silo broke after the call was sent: the call may or may not have run, so it is not
/// retried (retrying could run a write twice).
/// </summary>
public sealed class SiloConnectionLostException : Exception
{
    public SiloConnectionLostException() : this("The connection to the silo was lost.") { }

    public SiloConnectionLostException(string message) : base(message) { }

    public SiloConnectionLostException(string message, Exception innerException) : base(message, innerException) { }
}
