using Orleans;
using Orleans.Runtime;

namespace UserData.Providers.Tests.Clustering;

[Alias("UserData.Providers.Tests.Clustering.ISiloLocatorGrain")]
public interface ISiloLocatorGrain : IGrainWithGuidKey
{
    /// <summary>The silo this activation runs on.</summary>
    [Alias("WhereAmI")]
    Task<SiloAddress> WhereAmI();
}

public sealed class SiloLocatorGrain(ILocalSiloDetails silo) : Grain, ISiloLocatorGrain
{
    public Task<SiloAddress> WhereAmI() => Task.FromResult(silo.SiloAddress);
}
