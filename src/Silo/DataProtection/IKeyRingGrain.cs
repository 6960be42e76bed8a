namespace UserData.Silo.DataProtection;

/// <summary>
/// The ASP.NET Core Data Protection key ring that every gateway of a deployment shares, keyed by the Data Protection
/// application name: the XML elements Data Protection stores (keys and revocations), in the product's grain storage.
/// </summary>
[Alias("data-protection-key-ring")]
public interface IKeyRingGrain : IGrainWithStringKey
{
    /// <summary>Every stored element, as XML text, read from storage rather than from this activation's memory.</summary>
    Task<string[]> GetElementsAsync();

    /// <summary>Stores an element; one already stored with the same name and content (a retried call) is not stored twice.</summary>
    Task StoreElementAsync(string friendlyName, string element);
}
