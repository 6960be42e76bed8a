using System.Collections.Frozen;
using UserData.Runtime.Dispatch;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Activations;

/// <summary>The grain interfaces and classes this silo knows, built once at start-up.</summary>
internal sealed class GrainTypeRegistry
{
    private readonly FrozenDictionary<Type, GrainInterface> _interfaces;
    private readonly FrozenDictionary<string, GrainClass> _classes;

    public GrainTypeRegistry(IEnumerable<GrainRegistration> registrations)
    {
        var interfaces = new Dictionary<Type, GrainInterface>();
        var classes = new Dictionary<string, GrainClass>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            if (!typeof(Grain).IsAssignableFrom(registration.Implementation) || registration.Implementation.IsAbstract)
            {
                throw new ArgumentException($"{registration.Implementation.Name} must be a concrete class derived from Grain.");
            }

            var grainInterface = GrainInterface.Create(registration.Interface);
            if (!classes.TryAdd(grainInterface.GrainType, new GrainClass(registration.Implementation)))
            {
                throw new ArgumentException($"Two grain interfaces share the grain type name '{grainInterface.GrainType}'.");
            }

            interfaces.Add(registration.Interface, grainInterface);
        }

        _interfaces = interfaces.ToFrozenDictionary();
        _classes = classes.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public GrainInterface GetInterface(Type interfaceType) =>
        _interfaces.TryGetValue(interfaceType, out var grainInterface)
            ? grainInterface
            : throw new ArgumentException(
                $"No grain class is registered for {interfaceType.Name}; register one with AddGrain<{interfaceType.Name}, TGrain>().",
                nameof(interfaceType));

    public GrainClass GetClass(string grainType) =>
        _classes.TryGetValue(grainType, out var grainClass)
            ? grainClass
            : throw new ArgumentException($"Unknown grain type '{grainType}'.", nameof(grainType));
}

/// <summary>One <c>AddGrain&lt;TInterface, TGrain&gt;()</c>.</summary>
internal sealed record GrainRegistration(Type Interface, Type Implementation);
