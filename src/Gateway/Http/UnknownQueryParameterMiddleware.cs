using Microsoft.OpenApi;
using UserData.Gateway.OpenApi;
using UserData.Grains.Validation;

namespace UserData.Gateway.Http;

/// <summary>
/// Refuses query parameters an API route does not declare (its <see cref="ApiParameter"/>s, which the OpenAPI document
/// lists) with 400 <c>VALIDATION_ERROR</c>, issue <c>unknown_parameter</c> for each, as unknown body fields are refused:
/// a misspelt <c>?limt=5</c> is reported instead of silently ignored.
/// </summary>
public sealed class UnknownQueryParameterMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Query.Count == 0 || context.GetEndpoint() is not { } endpoint || !ApiDocument.Describes(endpoint))
        {
            return next(context);
        }

        var declared = endpoint.Metadata.GetOrderedMetadata<ApiParameter>().Where(parameter => parameter.In == ParameterLocation.Query).Select(parameter => parameter.Name);
        var unknown = context.Request.Query.Keys.Except(declared, StringComparer.Ordinal)
            .Select(name => new FieldError(name, Issues.UnknownParameter, $"Unknown query parameter '{name}'"))
            .ToList();
        return unknown.Count == 0 ? next(context) : throw ApiException.Validation(unknown);
    }
}
