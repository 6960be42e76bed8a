using Orleans.Metadata;
using Orleans.Runtime;
using UserData.Grains.Users;

namespace UserData.Gateway.Api;

/// <summary>
/// References to user grains by user id, for the per-request path. Orleans' <c>GetGrain&lt;IUserGrain&gt;(string)</c>
/// resolves the interface's grain interface type from its attributes on every call (reflection, about 5% of the
/// gateway's CPU under <c>GET /me</c> in a profile); this resolves it once and builds each reference from the grain id.
/// </summary>
public sealed class UserGrains(GrainInterfaceTypeResolver interfaceTypes, GrainInterfaceTypeToGrainTypeResolver grainTypes)
{
    private readonly GrainInterfaceType _interfaceType = interfaceTypes.GetGrainInterfaceType(typeof(IUserGrain));

    public IUserGrain Get(IGrainFactory grains, string userId)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        // The grain type is looked up each time (a dictionary read): a pure gateway learns it from the cluster's manifest.
        return (IUserGrain)grains.GetGrain(GrainId.Create(grainTypes.GetGrainType(_interfaceType), userId), _interfaceType);
    }
}
