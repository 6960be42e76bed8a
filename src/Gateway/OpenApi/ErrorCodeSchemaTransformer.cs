using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using UserData.Gateway.Http;

namespace UserData.Gateway.OpenApi;

/// <summary>Lists the error codes in the schema of <c>error.code</c>, so that a generated client can switch on them.</summary>
public sealed class ErrorCodeSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        if (context.JsonPropertyInfo is { Name: "code" } property && property.DeclaringType == typeof(ErrorBody))
        {
            schema.Enum = [.. ErrorResponses.Catalog.Keys.Select(code => (JsonNode)JsonValue.Create(code))];
        }

        return Task.CompletedTask;
    }
}
