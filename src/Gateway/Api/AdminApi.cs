using Orleans;
using Orleans.Core.Internal;
using Orleans.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using UserData.Gateway.Auth;
using UserData.Gateway.Http;
using UserData.Gateway.Json;
using UserData.Gateway.Logging;
using UserData.Gateway.OpenApi;
using UserData.Gateway.Options;
using UserData.Grains.Admins;
using UserData.Grains.Common;
using UserData.Grains.Emails;
using UserData.Grains.Errors;
using UserData.Grains.Users;

namespace UserData.Gateway.Api;

/// <summary>/api/v1/admin: users (read, role, reload) and the cluster (role admin).</summary>
public static class AdminApi
{
    public const string AdminPolicy = "admin";

    public static RouteGroupBuilder MapAdminUsersApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(AdminPolicy).InApiDocument()
            .ProducesErrors(ErrorCodes.Unavailable);
        admin.MapGet("/users/{id}", GetUserAsync).WithName("getUser").WithSummary("Read a user's profile").WithResponseHeader(ETags.Header).ProducesErrors(ErrorCodes.NotFound);
        admin.MapPut("/users/{id}/role", ChangeRoleAsync).WithName("changeUserRole").Accepts<Grains.Requests.ChangeRoleRequest>("application/json")
            .WithSummary("Give a user the admin or the user role")
            .WithDescription(
                "Audited in that user's trail as `role.changed`, with the acting admin's id in `changed_by`; the user's next token " +
                "(login or refresh) carries the new role. Refused with 409 `CONFLICT` when it would leave no admin, or when it takes " +
                "the role from an email listed in `Bootstrap__AdminEmails` (which gives it back at every sign-in).")
            .WithParameters(ETags.IfMatchParameter).WithResponseHeader(ETags.Header)
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.Conflict, ErrorCodes.PreconditionFailed);
        admin.MapPost("/users/{id}/reload", ReloadUserAsync).WithName("reloadUser")
            .WithSummary("Make the cluster read a user from storage again")
            .WithDescription(
                "Deactivates the user's grain and its email's grain, so that their next call reads storage: for operators, after " +
                "restoring a user from a backup. Answers 204 whether or not they were active; a retry does the same again.")
            .WithParameters(IdempotencyKeys.Parameter)
            .ProducesErrors(ErrorCodes.NotFound);
        admin.MapGet("/cluster", GetClusterAsync).WithName("getCluster").WithSummary("List the silos and the activations by grain type");
        return admin;
    }

    public static async Task<Ok<Envelope<UserProfile>>> GetUserAsync(HttpContext context, IGrainFactory grains, string id)
    {
        var profile = await ReadUserAsync(context, grains, id);
        ETags.Set(context.Response, profile.Version);
        return TypedResults.Ok(ApiResponses.Envelope(context, profile));
    }

    /// <summary>
    /// The admins grain decides (is the caller still admin, would an admin remain); this only refuses taking the role
    /// from a bootstrap email, which is configuration of the gateway.
    /// </summary>
    public static async Task<Ok<Envelope<UserProfile>>> ChangeRoleAsync(
        HttpContext context, IGrainFactory grains, IOptions<BootstrapOptions> bootstrap, ILogger<Account> logger, string id)
    {
        var ifMatch = ETags.IfMatch(context.Request);
        var role = (await JsonBody.ReadAsync(context, ApiJsonContext.Default.ChangeRoleRequest, RequestSchemas.Role)).Value.Role!;
        var target = await ReadUserAsync(context, grains, id);
        if (role == Roles.User && bootstrap.Value.IsAdmin(target.Email))
        {
            throw new ApiException(StatusCodes.Status409Conflict, ErrorCodes.Conflict,
                "This user's email is listed in Bootstrap__AdminEmails, which gives the admin role back at every sign-in: remove it from that setting first");
        }

        var actor = context.User.UserId();
        var profile = await grains.GetAdminsGrain().ChangeRoleAsync(id, role, actor, ifMatch, new RequestOrigin(context.TraceIdentifier));
        GatewayLog.RoleChanged(logger, id, profile.Role, actor);
        ETags.Set(context.Response, profile.Version);
        return TypedResults.Ok(ApiResponses.Envelope(context, profile));
    }

    /// <summary>Orleans' own way to deactivate a grain from outside (its test cluster's <c>DeactivateAsync</c> does the same).</summary>
    public static async Task<NoContent> ReloadUserAsync(HttpContext context, IGrainFactory grains, EmailKeys emailKeys, ILogger<Account> logger, string id)
    {
        var user = await UserGrainAsync(context, grains, id);
        await user.Cast<IGrainManagementExtension>().DeactivateOnIdle();

        // Read by the user's next activation, so it is the email of the user as storage holds it now.
        if (await user.GetRegisteredEmailAsync() is { } email)
        {
            await grains.GetGrain<IEmailGrain>(emailKeys.GrainKey(email)).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        }

        GatewayLog.UserReloaded(logger, id);
        return TypedResults.NoContent();
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

    /// <summary>
    /// The grain of user <paramref name="id"/>, for a caller that still exists (401 otherwise: an erased admin's token
    /// still carries the role until it expires); 404 for an id no user can have.
    /// </summary>
    private static async Task<IUserGrain> UserGrainAsync(HttpContext context, IGrainFactory grains, string id)
    {
        await ProfileApi.Me(context, grains).GetProfileAsync();
        return Guid.TryParse(id, out _) ? grains.GetGrain<IUserGrain>(id) : throw new NotFoundException("User not found");
    }

    private static async Task<UserProfile> ReadUserAsync(HttpContext context, IGrainFactory grains, string id)
    {
        var user = await UserGrainAsync(context, grains, id);
        try
        {
            return await user.GetProfileAsync();
        }
        catch (UserNotFoundException)
        {
            throw new NotFoundException("User not found");
        }
    }
}

/// <summary>GET /admin/cluster: the silos and activation counts by grain type.</summary>
public sealed record ClusterStatus(IReadOnlyList<ClusterSilo> Silos, IReadOnlyDictionary<string, int> ActivationsByType);

public sealed record ClusterSilo(string Address, string Status, DateTimeOffset StartedAt, DateTimeOffset LastHeartbeat, int Activations);
