using Orleans;
using Orleans.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using UserData.Gateway.Http;
using UserData.Gateway.OpenApi;
using UserData.Grains.Errors;
using UserData.Grains.Users;

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

    /// <summary>The silos of the membership table and the activations on each, from Orleans' management grain.</summary>
    public static async Task<Ok<Envelope<ClusterStatus>>> GetClusterAsync(HttpContext context, IGrainFactory grains)
    {
        await ProfileApi.Me(context, grains).GetProfileAsync();
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: false);
        var statistics = await management.GetSimpleGrainStatistics();
        var bySilo = statistics
            .GroupBy(statistic => statistic.SiloAddress.ToString(), StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Sum(statistic => statistic.ActivationCount), StringComparer.Ordinal);
        var byType = statistics
            .GroupBy(statistic => statistic.GrainType, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Sum(statistic => statistic.ActivationCount), StringComparer.Ordinal);
        var silos = hosts
            .Select(host => new ClusterSilo(
                host.SiloAddress.ToString(),
                host.Status.ToString(),
                new DateTimeOffset(DateTime.SpecifyKind(host.StartTime, DateTimeKind.Utc)),
                new DateTimeOffset(DateTime.SpecifyKind(host.IAmAliveTime, DateTimeKind.Utc)),
                bySilo.GetValueOrDefault(host.SiloAddress.ToString())))
            .ToList();
        return TypedResults.Ok(ApiResponses.Envelope(context, new ClusterStatus(silos, byType)));
    }
}

/// <summary>GET /admin/cluster: the silos and activation counts by grain type.</summary>
public sealed record ClusterStatus(IReadOnlyList<ClusterSilo> Silos, IReadOnlyDictionary<string, int> ActivationsByType);

public sealed record ClusterSilo(string Address, string Status, DateTimeOffset StartedAt, DateTimeOffset LastHeartbeat, int Activations);
