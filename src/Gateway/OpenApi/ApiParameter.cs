using Microsoft.OpenApi;

namespace UserData.Gateway.OpenApi;

/// <summary>
/// A query parameter or request header an endpoint reads, as endpoint metadata: the OpenAPI document lists it
/// (<see cref="ApiOperationTransformer"/>), and an endpoint's query parameters are the only ones it accepts
/// (<see cref="Http.UnknownQueryParameterMiddleware"/>).
/// </summary>
public sealed record ApiParameter(string Name, ParameterLocation In, string Description)
{
    public JsonSchemaType Type { get; init; } = JsonSchemaType.String;

    public int? Minimum { get; init; }

    public int? Maximum { get; init; }

    public int? MaxLength { get; init; }

    /// <summary>The value that applies when the parameter is absent, as it is written in a URL.</summary>
    public string? Default { get; init; }

    /// <summary>The only values accepted, when they can be listed.</summary>
    public IReadOnlyList<string>? Values { get; init; }

    public string? Pattern { get; init; }

    public static ApiParameter Query(string name, string description) => new(name, ParameterLocation.Query, description);

    public static ApiParameter Header(string name, string description) => new(name, ParameterLocation.Header, description);
}

/// <summary>A response header an endpoint sets on its successful responses, as endpoint metadata for the document.</summary>
public sealed record ApiResponseHeader(string Name, string Description);

public static class ApiParameterEndpointExtensions
{
    /// <summary>Declares the query parameters and request headers the endpoint reads.</summary>
    public static TBuilder WithParameters<TBuilder>(this TBuilder builder, params IReadOnlyList<ApiParameter> parameters)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata([.. parameters]);

    /// <summary>Declares a header the endpoint's successful responses carry.</summary>
    public static TBuilder WithResponseHeader<TBuilder>(this TBuilder builder, ApiResponseHeader header)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(header);
}
