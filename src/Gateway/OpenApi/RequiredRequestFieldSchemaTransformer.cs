using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using UserData.Grains.Requests;

namespace UserData.Gateway.OpenApi;

/// <summary>
/// A field a request body requires is not nullable in its schema: the request records hold nullable fields only so
/// that their validators can answer <c>required</c> for a missing or null field instead of a deserializer's error.
/// </summary>
public sealed class RequiredRequestFieldSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        if (context.JsonTypeInfo.Type.Namespace != typeof(TaskRequest).Namespace || schema.Required is not { } required || schema.Properties is not { } properties)
        {
            return Task.CompletedTask;
        }

        foreach (var name in required)
        {
            if (properties.TryGetValue(name, out var field) && field is OpenApiSchema { Type: { } type } property)
            {
                property.Type = type & ~JsonSchemaType.Null;
            }
        }

        return Task.CompletedTask;
    }
}
