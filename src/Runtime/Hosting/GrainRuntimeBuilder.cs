using Microsoft.Extensions.DependencyInjection;
using UserData.Runtime.Activations;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Hosting;

/// <summary>Registers grain classes with the runtime.</summary>
public sealed class GrainRuntimeBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    public GrainRuntimeBuilder AddGrain<TGrainInterface, TGrain>()
        where TGrainInterface : class, IGrain
        where TGrain : Grain, TGrainInterface
    {
        Services.AddSingleton(new GrainRegistration(typeof(TGrainInterface), typeof(TGrain)));
        return this;
    }
}
