using System.Collections.Frozen;
using UserData.Runtime.Activations;
using UserData.Runtime.Dispatch;

namespace UserData.Runtime.Cluster.Transport;

/// <summary>The methods a call arriving on the silo port may name: (grain type, method signature) of the registered grains.</summary>
internal sealed class RemoteMethodTable
{
    private readonly FrozenDictionary<string, FrozenDictionary<string, GrainMethod>> _methods;

    public RemoteMethodTable(GrainTypeRegistry registry, IEnumerable<GrainRegistration> registrations)
    {
        _methods = registrations
            .Select(registration => registry.GetInterface(registration.Interface))
            .ToFrozenDictionary(
                grainInterface => grainInterface.GrainType,
                grainInterface => grainInterface.Methods.Values
                    .DistinctBy(method => method.Signature)
                    .ToFrozenDictionary(method => method.Signature, StringComparer.Ordinal),
                StringComparer.Ordinal);
    }

    public GrainMethod? Find(string grainType, string signature) =>
        _methods.TryGetValue(grainType, out var methods) && methods.TryGetValue(signature, out var method) ? method : null;
}
