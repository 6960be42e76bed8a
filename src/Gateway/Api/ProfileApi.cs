using Orleans;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using UserData.Gateway.Auth;
using UserData.Gateway.Http;
using UserData.Gateway.Json;
using UserData.Gateway.Logging;
using UserData.Gateway.OpenApi;
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
        me.MapGet("/", GetAsync).WithName("getProfile").WithSummary("Read the profile").WithResponseHeader(ETags.Header);
        me.MapPatch("/", UpdateAsync).WithName("updateProfile").Accepts<Grains.Requests.UpdateProfileRequest>("application/json")
            .WithSummary("Change the display name or attributes")
            .WithDescription("Fields left out stay as they are; `attributes` is applied as a JSON Merge Patch (RFC 7396: null removes a key).")
            .WithParameters(ETags.IfMatchParameter).WithResponseHeader(ETags.Header)
            .ProducesErrors(ErrorCodes.PreconditionFailed);
        me.MapDelete("/", EraseAsync).WithName("eraseAccount")
            .WithSummary("Erase the account and all its data")
            .WithDescription("Its tokens stop working and the email is free again.")
            .WithParameters(ETags.IfMatchParameter)
            .ProducesErrors(ErrorCodes.PreconditionFailed);
        me.MapGet("/export", ExportAsync).WithName("exportData").WithSummary("Export everything held about the user")
            .WithDescription("Streamed: the document is written while it is read, so an export that fails midway ends in a broken connection, not an error envelope. The audit trail is the history kept within the user's quota.")
            .Produces<Envelope<ExportDocument>>();
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
        var change = (await JsonBody.ReadAsync(context, ApiJsonContext.Default.UpdateProfileRequest, RequestSchemas.Profile)).Value;
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

    public static Task ExportAsync(HttpContext context, IGrainFactory grains, IOptions<JsonOptions> json) =>
        UserExportStream.WriteAsync(context, Me(context, grains), json);

    public static IUserGrain Me(HttpContext context, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(grains);
        return context.RequestServices.GetRequiredService<UserGrains>().Get(grains, context.User.UserId());
    }
}
