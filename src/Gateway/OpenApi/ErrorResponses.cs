using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using UserData.Gateway.Http;

namespace UserData.Gateway.OpenApi;

/// <summary>Error codes an endpoint answers beyond those its other metadata implies (<see cref="ErrorResponses.ProducesErrors"/>).</summary>
public sealed record ErrorCodesMetadata(IReadOnlyList<string> Codes);

/// <summary>
/// The error responses of each endpoint, documented as ASP.NET response metadata with the error envelope: one response
/// per status, whose description names the codes it can carry. Codes come from the endpoint's own metadata where it
/// says so (authorization, rate limiting, a JSON body) and from <see cref="ProducesErrors"/> for the rest.
/// </summary>
public static class ErrorResponses
{
    /// <summary>Every code of api.md: its status, and when it is answered.</summary>
    public static IReadOnlyDictionary<string, (int Status, string When)> Catalog { get; } = new Dictionary<string, (int, string)>
    {
        [ErrorCodes.InvalidJson] = (400, "the body is not JSON in UTF-8"),
        [ErrorCodes.ValidationError] = (400, "a field, header or query parameter is missing, invalid or unknown; `details` names each"),
        [ErrorCodes.Unauthenticated] = (401, "the token is missing, invalid or expired, or its account no longer exists"),
        [ErrorCodes.InvalidCredentials] = (401, "the email or the password is wrong"),
        [ErrorCodes.Forbidden] = (403, "the account's role does not allow this"),
        [ErrorCodes.NotFound] = (404, "there is no such resource"),
        [ErrorCodes.MethodNotAllowed] = (405, "the route does not take this method"),
        [ErrorCodes.Conflict] = (409, "the request conflicts with the current state"),
        [ErrorCodes.EmailTaken] = (409, "another account has this email"),
        [ErrorCodes.DuplicateName] = (409, "another task has this name"),
        [ErrorCodes.PreconditionFailed] = (412, "`If-Match` does not name the current version"),
        [ErrorCodes.PayloadTooLarge] = (413, $"the body is larger than {JsonBody.MaxBytes / 1024} KiB"),
        [ErrorCodes.UnsupportedMediaType] = (415, "the body is not `application/json`"),
        [ErrorCodes.TaskLimitExceeded] = (422, "the change would leave more active tasks than allowed"),
        [ErrorCodes.QuotaExceeded] = (422, "the change would take the user past a storage quota; `details` name the limit"),
        [ErrorCodes.IdempotencyKeyReused] = (422, "the `Idempotency-Key` was used before with another body"),
        [ErrorCodes.RateLimited] = (429, "too many requests; retry after `Retry-After` seconds"),
        [ErrorCodes.InternalError] = (500, "an unexpected failure"),
        [ErrorCodes.Unavailable] = (503, "busy, restarting or storage unreachable; retry after `Retry-After` seconds (a write may have been applied: retry a POST with the same `Idempotency-Key`)"),
    };

    /// <summary>Declares error codes the endpoint (or every endpoint of a group) answers.</summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, params IReadOnlyList<string> codes)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ErrorCodesMetadata(codes));

    /// <summary>Adds the endpoint's error responses; runs once all other conventions have run, so all metadata is there.</summary>
    public static void Describe(EndpointBuilder endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var declared = endpoint.Metadata.OfType<ErrorCodesMetadata>().SelectMany(metadata => metadata.Codes);
        var codes = Implied(endpoint.Metadata).Concat(declared).Distinct(StringComparer.Ordinal);
        foreach (var status in codes.GroupBy(code => Catalog[code].Status).OrderBy(group => group.Key))
        {
            var description = string.Join("\n\n", status.Select(code => $"`{code}`: {Catalog[code].When}."));
            endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status.Key, typeof(ErrorEnvelope), ["application/json"]) { Description = description });
        }
    }

    private static IEnumerable<string> Implied(IList<object> metadata)
    {
        // Every route of the API refuses unknown query parameters, and any request can meet an unexpected failure.
        yield return ErrorCodes.ValidationError;
        yield return ErrorCodes.InternalError;
        var authorization = metadata.OfType<IAuthorizeData>().ToList();
        if (authorization.Count > 0 && !metadata.OfType<IAllowAnonymous>().Any())
        {
            yield return ErrorCodes.Unauthenticated;
            if (authorization.Any(rule => rule.Policy is not null || rule.Roles is not null))
            {
                yield return ErrorCodes.Forbidden;
            }
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            yield return ErrorCodes.RateLimited;
        }

        if (metadata.OfType<IAcceptsMetadata>().Any())
        {
            yield return ErrorCodes.InvalidJson;
            yield return ErrorCodes.PayloadTooLarge;
            yield return ErrorCodes.UnsupportedMediaType;
        }
    }
}
