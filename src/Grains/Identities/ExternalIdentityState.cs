using UserData.Runtime.Journal;

namespace UserData.Grains.Identities;

public sealed class ExternalIdentityState : IJournaledState<ExternalIdentityEvent>
{
    /// <summary>The linked user id, or null before the first sign-in.</summary>
    public string? UserId { get; set; }

    public bool Registered { get; set; }

    public void Apply(ExternalIdentityEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        switch (@event)
        {
            case ExternalIdentityLinked linked:
                UserId = linked.UserId;
                Registered = false;
                break;
            case ExternalIdentityConfirmed confirmed when confirmed.UserId == UserId:
                Registered = true;
                break;
        }
    }
}
