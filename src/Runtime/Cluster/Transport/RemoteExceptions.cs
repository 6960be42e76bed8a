using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace UserData.Runtime.Cluster.Transport;

/// <summary>
/// Rebuilds a grain's exception on the caller: the same type when it is loadable here, an <see cref="Exception"/>, and
/// has a public (string message) constructor; otherwise a <see cref="RemoteGrainException"/> with its type name and message.
/// </summary>
internal static class RemoteExceptions
{
    /// <summary>The name that <see cref="Create"/> can load again: full name and assembly name.</summary>
    public static string TypeName(Exception exception) =>
        $"{exception.GetType().FullName}, {exception.GetType().Assembly.GetName().Name}";

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Exception types of loaded grain assemblies; not trimmed.")]
    public static Exception Create(string? typeName, string message)
    {
        if (typeName is not null
            && Type.GetType(typeName, throwOnError: false) is { } type
            && typeof(Exception).IsAssignableFrom(type)
            && type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, [typeof(string)]) is { } constructor)
        {
            try
            {
                return (Exception)constructor.Invoke([message]);
            }
            catch (TargetInvocationException)
            {
                // Its constructor refused the message: fall through to the generic form.
            }
        }

        return new RemoteGrainException(typeName ?? "unknown", message);
    }
}
