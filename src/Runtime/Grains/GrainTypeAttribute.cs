namespace UserData.Runtime.Grains;

/// <summary>Names a grain interface's type in grain ids and storage keys (default: <c>IUserGrain</c> gives <c>user</c>).</summary>
[AttributeUsage(AttributeTargets.Interface)]
public sealed class GrainTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
