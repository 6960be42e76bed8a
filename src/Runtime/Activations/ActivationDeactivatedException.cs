namespace UserData.Runtime.Activations;

/// <summary>A queued call reached an activation that is going away; the sender routes it to a fresh one.</summary>
internal sealed class ActivationDeactivatedException : Exception
{
    public ActivationDeactivatedException() : this("The activation was deactivated before the call ran.") { }

    public ActivationDeactivatedException(string message) : base(message) { }

    public ActivationDeactivatedException(string message, Exception innerException) : base(message, innerException) { }
}
