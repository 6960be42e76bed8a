namespace UserData.Runtime.Grains;

/// <summary>
/// Marker for grain interfaces. Every method returns <see cref="Task"/> or <see cref="Task{TResult}"/>;
/// a grain is addressed by a string key.
/// </summary>
#pragma warning disable CA1040 // A marker interface is the grain model's contract, as in Orleans.
public interface IGrain;
#pragma warning restore CA1040
