using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using UserData.Gateway.Http;

namespace UserData.Gateway.OpenApi;

/// <summary>
/// What an operation's metadata says beyond ASP.NET's own description: the bearer requirement of authorized routes,
/// the declared <see cref="ApiParameter"/>s, the descriptions of the responses (the generator gives reason phrases
/// only), and the response headers (<c>Location</c> on 201, <c>Retry-After</c> on the 429 and 503 errors,
/// <see cref="ApiResponseHeader"/>s such as <c>ETag</c> on successful responses with a body).
/// </summary>
public sealed class ApiOperationTransformer : IOpenApiOperationTransformer
{
    private static readonly OpenApiHeader Location = new()
    {
        Description = "The path of the created resource.",
        Required = true,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static readonly OpenApiHeader RetryAfter = new()
    {
        Description = "Seconds to wait before retrying.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        // An empty list says the operation needs no token, rather than leaving it unsaid.
        operation.Security = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any()
            ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiDocumentTransformer.BearerScheme, context.Document)] = [] }]
            : [];

        foreach (var parameter in metadata.OfType<ApiParameter>())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter { Name = parameter.Name, In = parameter.In, Description = parameter.Description, Schema = Schema(parameter) });
        }

        var headers = metadata.OfType<ApiResponseHeader>().ToList();
        var errors = metadata.OfType<IProducesResponseTypeMetadata>()
            .Where(produces => produces.Type == typeof(ErrorEnvelope))
            .ToDictionary(produces => produces.StatusCode.ToString(CultureInfo.InvariantCulture), produces => produces.Description);
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse described)
            {
                continue;
            }

            if (errors.TryGetValue(status, out var error))
            {
                described.Description = error ?? described.Description;
            }

            if (status == "201")
            {
                AddHeader(described, "Location", Location);
            }

            if (status is "429" or "503" && errors.ContainsKey(status))
            {
                AddHeader(described, "Retry-After", RetryAfter);
            }

            if (status.StartsWith('2') && described.Content?.Count > 0)
            {
                foreach (var header in headers)
                {
                    AddHeader(described, header.Name, new OpenApiHeader { Description = header.Description, Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
                }
            }
        }

        return Task.CompletedTask;
    }

    private static void AddHeader(OpenApiResponse response, string name, OpenApiHeader header)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = header;
    }

    private static OpenApiSchema Schema(ApiParameter parameter) => new()
    {
        Type = parameter.Type,
        Minimum = parameter.Minimum?.ToString(CultureInfo.InvariantCulture),
        Maximum = parameter.Maximum?.ToString(CultureInfo.InvariantCulture),
        MaxLength = parameter.MaxLength,
        Pattern = parameter.Pattern,
        Enum = parameter.Values?.Select(value => (JsonNode)JsonValue.Create(value)).ToList(),
        Default = parameter.Default is null ? null
            : parameter.Type == JsonSchemaType.Integer ? JsonValue.Create(int.Parse(parameter.Default, CultureInfo.InvariantCulture))
            : JsonValue.Create(parameter.Default),
    };
}
