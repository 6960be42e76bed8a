using Microsoft.AspNetCore.Http.Metadata;

namespace UserData.Gateway.OpenApi;

/// <summary>
/// The OpenAPI document of the HTTP API, <c>/openapi/v1.json</c>: ASP.NET Core's generator, fed by each endpoint's
/// metadata (typed results, summaries, <see cref="ApiParameter"/>s, <see cref="ErrorResponses"/>) and the
/// transformers here for what it cannot see on its own.
/// </summary>
public static class ApiDocument
{
    public const string Name = "v1";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(Name, options =>
        {
            // The API's routes only (InApiDocument): not the dashboard's data, nor anything a library maps.
            options.ShouldInclude = description => description.GroupName == Name;
            options.AddDocumentTransformer<ApiDocumentTransformer>();
            options.AddOperationTransformer<ApiOperationTransformer>();
            options.AddSchemaTransformer<TimestampSchemaTransformer>();
            options.AddSchemaTransformer<OptionalSchemaTransformer>();
            options.AddSchemaTransformer<ErrorCodeSchemaTransformer>();
            options.AddSchemaTransformer<RequiredRequestFieldSchemaTransformer>();
        });

    /// <summary>Puts the endpoints (of a group) in the document, each with the error responses of <see cref="ErrorResponses"/>.</summary>
    public static TBuilder InApiDocument<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithGroupName(Name);
        builder.Finally(ErrorResponses.Describe);
        return builder;
    }

    /// <summary>Whether the endpoint is one of the API's routes that the document describes.</summary>
    public static bool Describes(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Metadata.GetMetadata<IEndpointGroupNameMetadata>()?.EndpointGroupName == Name;
    }
}
