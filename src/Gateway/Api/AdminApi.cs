using Microsoft.AspNetCore.Http.HttpResults;
using UserData.Gateway.Http;
using UserData.Gateway.OpenApi;
using UserData.Grains.Errors;
using UserData.Grains.Users;
using UserData.Runtime.Grains;
using UserData.Runtime.Hosting;

namespace UserData.Gateway.Api;

/// <summary>/api/v1/admin/users/{id} and /api/v1/admin/cluster (role admin).</summary>
public static class AdminApi
{
    public const string AdminPolicy = "admin";

    public static RouteGroupBuilder MapAdminUsersApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(AdminPolicy).InApiDocument()
            .ProducesErrors(ErrorCodes.Unavailable);
        admin.MapGet("/users/{id}", GetUserAsync).WithName("getUser").WithSummary("Read a user's profile").WithResponseHeader(ETags.Header).ProducesErrors(ErrorCodes.NotFound);
        admin.MapGet("/cluster", GetClusterAsync).WithName("getCluster").WithSummary("List the silos and the activations by grain type");
        return admin;
    }

    public static async Task<Ok<Envelope<UserProfile>>> GetUserAsync(HttpContext context, IGrainFactory grains, string id)
    {
        // An erased admin's token still carries the role until it expires: make sure the caller still exists.
        await ProfileApi.Me(context, grains).GetProfileAsync();
        if (!Guid.TryParse(id, out _))
        {
            throw new NotFoundException("User not found");
        }

        try
        {
            var profile = await grains.GetGrain<IUserGrain>(id).GetProfileAsync();
            ETags.Set(context.Response, profile.Version);
            return TypedResults.Ok(ApiResponses.Envelope(context, profile));
        }
        catch (UserNotFoundException)
        {
            throw new NotFoundException("User not found");
        }
    }

    public static async Task<Ok<Envelope<ClusterStatus>>> GetClusterAsync(HttpContext context, IGrainFactory grains, ClusterOverview overview)
    {
        await ProfileApi.Me(context, grains).GetProfileAsync();
        var silos = overview.Silos();
        var byType = silos
            .SelectMany(silo => silo.ActivationsByType)
            .GroupBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Sum(pair => pair.Value), StringComparer.Ordinal);
        var view = silos.Select(silo => new ClusterSilo(silo.Address, silo.Status, silo.StartedAt, silo.LastHeartbeat, silo.Activations)).ToList();
        return TypedResults.Ok(ApiResponses.Envelope(context, new ClusterStatus(view, byType)));
    }
}

/// <summary>GET /admin/cluster: the silos and activation counts by grain type.</summary>
public sealed record ClusterStatus(IReadOnlyList<ClusterSilo> Silos, IReadOnlyDictionary<string, int> ActivationsByType);

public sealed record ClusterSilo(string Address, string Status, DateTimeOffset StartedAt, DateTimeOffset LastHeartbeat, int Activations);
