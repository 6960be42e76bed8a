using System.Text;
using UserData.Providers.Journal;

namespace UserData.Providers.Tests.Journal;

internal static class StoredEventText
{
    /// <summary>The event's JSON as text, to compare with what was appended.</summary>
    public static string Text(this StoredEvent stored) => Encoding.UTF8.GetString(stored.Utf8Json.Span);
}
