namespace UserData.Runtime.Grains;

/// <summary>
/// Marks a grain interface method that does not change state: it may run at the same time as other
/// read-only calls to the same activation, never beside a call that is not read-only.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute;
