using Orleans;

namespace UserData.Providers.Tests.Clustering;

internal static class MembershipTableExtensions
{
    /// <summary>Inserts <paramref name="entry"/> at the version after the one read just before, as a silo joining does.</summary>
    public static async Task<bool> InsertAtNextVersionAsync(this IMembershipTable table, MembershipEntry entry) =>
        await table.InsertRowAsync(entry, (await table.ReadAllAsync(CancellationToken.None)).Version.Next(), CancellationToken.None);
}
