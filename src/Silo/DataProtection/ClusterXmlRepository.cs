using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace UserData.Silo.DataProtection;

/// <summary>
/// Data Protection's key storage (its <see cref="IXmlRepository"/> extension point) on the cluster: the key ring grain.
/// Data Protection calls a repository synchronously, and rarely (at start, about once a day, on an unknown key id),
/// so these calls block on the grain call, as its own repositories on remote stores block on their I/O.
/// </summary>
internal sealed class ClusterXmlRepository(IGrainFactory grains, string applicationName) : IXmlRepository
{
    private IKeyRingGrain KeyRing => grains.GetGrain<IKeyRingGrain>(applicationName);

    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. KeyRing.GetElementsAsync().GetAwaiter().GetResult().Select(element => XElement.Parse(element))];

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        KeyRing.StoreElementAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting)).GetAwaiter().GetResult();
    }
}
