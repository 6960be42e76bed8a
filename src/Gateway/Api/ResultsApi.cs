using Orleans;
using Microsoft.AspNetCore.Http.HttpResults;
using UserData.Gateway.Http;
using UserData.Gateway.OpenApi;
using UserData.Grains.Common;
using UserData.Grains.Results;

namespace UserData.Gateway.Api;

/// <summary>/api/v1/me/results.</summary>
public static class ResultsApi
{
    public static RouteGroupBuilder MapResultsApi(this RouteGroupBuilder me)
    {
        ArgumentNullException.ThrowIfNull(me);
        var results = me.MapGroup("/results").WithTags("Results");
        results.MapPost("/", GenerateAsync).WithName("generateResult")
            .WithSummary("Generate the result of the current data")
            .WithDescription("201 with a new result when the data changed since the last one, else 200 with that one. Takes no body (or `{}`).")
            .WithParameters(IdempotencyKeys.Parameter)
            .ProducesErrors(ErrorCodes.InvalidJson, ErrorCodes.PayloadTooLarge, ErrorCodes.UnsupportedMediaType, ErrorCodes.IdempotencyKeyReused);
        results.MapGet("/latest", LatestAsync).WithName("getLatestResult").WithSummary("Read the latest result").ProducesErrors(ErrorCodes.NotFound);
        results.MapGet("/", ListAsync).WithName("listResults").WithSummary("List the kept results, newest first").WithParameters(QueryParameters.Paging);
        return me;
    }

    /// <summary>201 when this data version had no result yet, else 200 with the stored one.</summary>
    public static async Task<Results<Created<Envelope<GeneratedResult>>, Ok<Envelope<GeneratedResult>>>> GenerateAsync(
        HttpContext context, IGrainFactory grains, IdempotencyKeys idempotencyKeys)
    {
        var raw = await JsonBody.ReadEmptyAsync(context);
        var result = await ProfileApi.Me(context, grains)
            .GenerateResultAsync(idempotencyKeys.Read(context, raw), new RequestOrigin(context.TraceIdentifier));
        var envelope = ApiResponses.Envelope(context, result.Value);
        return result.Created ? TypedResults.Created("/api/v1/me/results/latest", envelope) : TypedResults.Ok(envelope);
    }

    public static async Task<Ok<Envelope<GeneratedResult>>> LatestAsync(HttpContext context, IGrainFactory grains) =>
        TypedResults.Ok(ApiResponses.Envelope(context, await ProfileApi.Me(context, grains).GetLatestResultAsync()));

    public static async Task<Ok<ListEnvelope<GeneratedResult>>> ListAsync(HttpContext context, IGrainFactory grains)
    {
        var query = QueryParameters.Page(context.Request);
        return TypedResults.Ok(ApiResponses.List(context, await ProfileApi.Me(context, grains).ListResultsAsync(query)));
    }
}
