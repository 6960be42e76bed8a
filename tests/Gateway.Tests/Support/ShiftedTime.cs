namespace UserData.Gateway.Tests.Support;

/// <summary>The system clock moved forward by <see cref="Offset"/>: lets a test pass 24 hours at once.</summary>
public sealed class ShiftedTime : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
