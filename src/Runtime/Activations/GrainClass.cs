using Microsoft.Extensions.DependencyInjection;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Activations;

/// <summary>A grain implementation and the compiled factory that builds it with constructor injection.</summary>
internal sealed class GrainClass(Type implementation)
{
    private readonly ObjectFactory _factory = ActivatorUtilities.CreateFactory(implementation, []);

    public Type Implementation { get; } = implementation;

    public Grain Create(IServiceProvider services) => (Grain)_factory(services, null);
}
