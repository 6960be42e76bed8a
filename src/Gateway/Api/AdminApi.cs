using Microsoft.AspNetCore.Http.HttpResults;
using UserData.Gateway.Http;
using UserData.Grains.Errors;
using UserData.Grains.Users;
using UserData.Runtime.Grains;

namespace UserData.Gateway.Api;

/// <summary>/api/v1/admin/users/{id} (role admin). The cluster view belongs to the operations endpoints.</summary>
public static class AdminApi
{
    public const string AdminPolicy = "admin";

    public static RouteGroupBuilder MapAdminUsersApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(AdminPolicy);
        admin.MapGet("/users/{id}", GetUserAsync);
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
}
