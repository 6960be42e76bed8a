using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using UserData.Grains.Requests;

namespace UserData.Gateway.OpenApi;

/// <summary>
/// Documents a PATCH field of type <see cref="Optional{T}"/> as what it carries on the wire: a nullable T
/// (the wrapper only records whether the field was present).
/// </summary>
public sealed class OptionalSchemaTransformer : IOpenApiSchemaTransformer
{
    public async Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        var type = context.JsonTypeInfo.Type;
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(Optional<>))
        {
            return;
        }

        var inner = await context.GetOrCreateSchemaAsync(type.GetGenericArguments()[0], cancellationToken: cancellationToken);
        // No type means any JSON value (attributes).
        schema.Type = inner.Type is { } innerType ? innerType | JsonSchemaType.Null : null;
        schema.Format = inner.Format;
        schema.Properties = inner.Properties;
        schema.Items = inner.Items;
        schema.Required = inner.Required;
        schema.Description = "Optional: leave out to keep the current value; null clears it where allowed.";
    }
}
