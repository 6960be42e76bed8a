namespace UserData.Runtime.Grains;

/// <summary>The activation's queue is full: the call was not accepted. Retry later (HTTP 503).</summary>
public sealed class GrainOverloadedException : Exception
{
    public GrainOverloadedException() : this("The grain is overloaded.") { }

    public GrainOverloadedException(string message) : base(message) { }

    public GrainOverloadedException(string message, Exception innerException) : base(message, innerException) { }

    public GrainOverloadedException(GrainId grainId, int queueLimit)
        : base($"Grain {grainId} has {queueLimit} calls queued, its limit; the call was rejected.")
    {
        GrainId = grainId;
    }

    public GrainId? GrainId { get; }
}

/// <summary>No answer within the response timeout. The call may still run to completion.</summary>
public sealed class GrainCallTimeoutException : TimeoutException
{
    public GrainCallTimeoutException() : this("The grain call timed out.") { }

    public GrainCallTimeoutException(string message) : base(message) { }

    public GrainCallTimeoutException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// This activation's state is behind the journal (another activation appended first). The runtime
/// deactivates the activation and retries the call once on a fresh one.
/// </summary>
public sealed class StaleActivationException : Exception
{
    public StaleActivationException() : this("The activation is stale.") { }

    public StaleActivationException(string message) : base(message) { }

    public StaleActivationException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// The grain could not be activated (its <c>OnActivateAsync</c> failed or timed out, e.g. storage was
/// unreachable while replaying): nothing ran, and a later call tries a fresh activation (HTTP 503).
/// </summary>
public sealed class GrainActivationException : Exception
{
    public GrainActivationException() : this("The grain could not be activated.") { }

    public GrainActivationException(string message) : base(message) { }

    public GrainActivationException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The silo is stopping and takes no new activations.</summary>
public sealed class SiloUnavailableException : Exception
{
    public SiloUnavailableException() : this("The silo is shutting down.") { }

    public SiloUnavailableException(string message) : base(message) { }

    public SiloUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
