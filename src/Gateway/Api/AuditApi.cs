using Orleans;
using Microsoft.AspNetCore.Http.HttpResults;
using UserData.Gateway.Http;
using UserData.Gateway.OpenApi;
using UserData.Grains.Audit;

namespace UserData.Gateway.Api;

/// <summary>/api/v1/me/audit: the user's journal as audit entries, newest first.</summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder me)
    {
        ArgumentNullException.ThrowIfNull(me);
        me.MapGet("/audit", ListAsync).WithName("listAudit").WithTags("Audit")
            .WithSummary("List the audit trail, newest first")
            .WithDescription("Every change to the user's data, with the request id that made it. Passwords and tokens never appear.")
            .WithParameters(QueryParameters.Paging);
        return me;
    }

    public static async Task<Ok<ListEnvelope<AuditEntry>>> ListAsync(HttpContext context, IGrainFactory grains)
    {
        var query = QueryParameters.Page(context.Request);
        return TypedResults.Ok(ApiResponses.List(context, await ProfileApi.Me(context, grains).ListAuditAsync(query)));
    }
}
