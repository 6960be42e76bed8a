using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using UserData.Gateway.Json;

namespace UserData.Gateway.OpenApi;

/// <summary>
/// Documents timestamps as the strings <see cref="TimestampJsonConverter"/> writes: the schema generator cannot see
/// through a custom converter.
/// </summary>
public sealed class TimestampSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?))
        {
            schema.Type = type == typeof(DateTimeOffset) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
        }

        return Task.CompletedTask;
    }
}
