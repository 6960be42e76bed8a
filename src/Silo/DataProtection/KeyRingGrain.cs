using Orleans.Runtime;
using UserData.Grains;
using UserData.Grains.Common;

namespace UserData.Silo.DataProtection;

/// <summary>
/// Keeps the key ring in the grain storage of small states (SQLite locally, the <c>grain-state</c> table in DynamoDB,
/// encrypted at rest there). Every write is ETag-checked: a write that lost to another activation (Orleans allows one in
/// rare membership races) reads the ring again and adds its element to what it finds, so no key is lost.
/// </summary>
public sealed class KeyRingGrain([PersistentState("key-ring", ProviderNames.Claims)] IPersistentState<KeyRingState> ring) : Grain, IKeyRingGrain
{
    // Data Protection reads rarely (at start, about once a day, and when a payload names a key it does not know), so
    // reading storage each time is cheap, and a ring written by another activation is never missed.
    public async Task<string[]> GetElementsAsync()
    {
        await ring.ReadStateAsync();
        return [.. ring.State.Elements.Select(element => element.Xml)];
    }

    public Task StoreElementAsync(string friendlyName, string element)
    {
        var stored = new KeyRingElement(friendlyName, element);
        return ring.RunAsync(async () =>
        {
            if (!ring.State.Elements.Contains(stored))
            {
                ring.State.Elements.Add(stored);
                await ring.WriteStateAsync();
            }

            return true;
        });
    }
}
