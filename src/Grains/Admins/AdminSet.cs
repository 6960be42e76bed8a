namespace UserData.Grains.Admins;

/// <summary>The stored state of <see cref="AdminsGrain"/> (grain storage, written whole).</summary>
[GenerateSerializer, Alias("admin-set")]
public sealed class AdminSet
{
    /// <summary>
    /// Every user id that is admin, and possibly some that no longer are (their user grain is the truth): ids are added
    /// before a user grain becomes admin and dropped once a check found them not admin.
    /// </summary>
    [Id(0)]
    public HashSet<string> UserIds { get; set; } = [];
}
