namespace UserData.Grains;

/// <summary>The names the grains give their Orleans storage providers; the silo registers providers under them.</summary>
public static class ProviderNames
{
    /// <summary>The event journal (a log-consistency provider) of journaled grains.</summary>
    public const string Journal = "Journal";

    /// <summary>Grain storage for small grains whose state is written whole: claims (email, external identity), the admin set.</summary>
    public const string Claims = "Claims";
}
