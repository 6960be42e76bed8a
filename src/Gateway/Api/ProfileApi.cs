using Orleans;
using Microsoft.AspNetCore.Http.HttpResults;
using UserData.Gateway.Auth;
using UserData.Gateway.Http;
using UserData.Gateway.Json;
using UserData.Gateway.Logging;
using UserData.Grains.Common;
using UserData.Grains.Emails;
using UserData.Grains.Users;

namespace UserData.Gateway.Api;

/// <summary>/api/v1/me: the caller's own profile, export and erase. The grain is always the token subject's.</summary>
public static class ProfileApi
{
    public static RouteGroupBuilder MapProfileApi(this RouteGroupBuilder me)
    {
        ArgumentNullException.ThrowIfNull(me);
        me.MapGet("/", GetAsync);
        me.MapPatch("/", UpdateAsync).Accepts<Grains.Requests.UpdateProfileRequest>("application/json");
        me.MapDelete("/", EraseAsync);
        me.MapGet("/export", ExportAsync);
        return me;
    }

    public static async Task<Ok<Envelope<UserProfile>>> GetAsync(HttpContext context, IGrainFactory grains)
    {
        var profile = await Me(context, grains).GetProfileAsync();
        ETags.Set(context.Response, profile.Version);
        return TypedResults.Ok(ApiResponses.Envelope(context, profile));
    }

    public static async Task<Ok<Envelope<UserProfile>>> UpdateAsync(HttpContext context, IGrainFactory grains)
    {
        var ifMatch = ETags.IfMatch(context.Request);
        var change = (await JsonBody.ReadAsync(context, ApiJsonContext.Default.UpdateProfileRequest, RequestSchemas.Profile, Validators.Profile)).Value;
        var profile = await Me(context, grains).UpdateProfileAsync(change, ifMatch, new RequestOrigin(context.TraceIdentifier));
        ETags.Set(context.Response, profile.Version);
        return TypedResults.Ok(ApiResponses.Envelope(context, profile));
    }

    /// <summary>The user grain forgets the user first, then the email is released (see <see cref="EmailGrain"/> for a crash in between).</summary>
    public static async Task<NoContent> EraseAsync(HttpContext context, IGrainFactory grains, EmailKeys emailKeys, ILogger<Account> logger)
    {
        var userId = context.User.UserId();
        var request = new RequestOrigin(context.TraceIdentifier);
        var email = await grains.GetGrain<IUserGrain>(userId).EraseAsync(ETags.IfMatch(context.Request), request);
        await grains.GetGrain<IEmailGrain>(emailKeys.GrainKey(email)).ReleaseAsync(userId, request);
        GatewayLog.UserErased(logger, userId);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<Envelope<UserExport>>> ExportAsync(HttpContext context, IGrainFactory grains) =>
        TypedResults.Ok(ApiResponses.Envelope(context, await Me(context, grains).ExportAsync()));

    public static IUserGrain Me(HttpContext context, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(grains);
        return grains.GetGrain<IUserGrain>(context.User.UserId());
    }
}
