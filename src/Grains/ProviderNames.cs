namespace UserData.Grains;

/// <summary>The names the grains give their Orleans storage providers; the silo registers providers under them.</summary>
public static class ProviderNames
{
    /// <summary>The event journal (a log-consistency provider) of journaled grains.</summary>
    public const string Journal = "Journal";

    /// <summary>Grain storage for small states written whole: the claim grains (email, external identity), the admin set, the Data Protection key ring.</summary>
    public const string Claims = "Claims";
}
