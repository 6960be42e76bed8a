using System.Globalization;

namespace UserData.Providers.GrainStorage;

/// <summary>The <c>written_at</c> value of a record: ISO 8601 UTC with milliseconds, sortable and readable.</summary>
internal static class GrainStateTimestamp
{
    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
