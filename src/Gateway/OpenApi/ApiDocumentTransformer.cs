using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using UserData.Gateway.Http;

namespace UserData.Gateway.OpenApi;

/// <summary>The document's title and conventions, and the bearer scheme that the <c>/me</c> and admin routes require.</summary>
public sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "Bearer";

    private const string Conventions =
        "Every response body is an envelope: `{\"data\", \"meta\"}` (lists add `pagination`), or on any 4xx/5xx " +
        "`{\"error\": {\"code\", \"message\", \"details\"?}, \"meta\"}`. Sign in with `/api/v1/auth/register` or " +
        "`/api/v1/auth/login` and send the `access_token` as `Authorization: Bearer <token>`. A client's `X-Request-Id` " +
        "(1-128 characters `[A-Za-z0-9._-]`) is kept, otherwise one is made; it comes back in the `X-Request-Id` header " +
        "and `meta.request_id`. Unknown query parameters and unknown body fields are refused (`VALIDATION_ERROR`).";

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Auth"] = "Accounts and sessions: register, login, token refresh and logout.",
        ["Profile"] = "The signed-in user's own profile and data: read, change, export, erase.",
        ["Tasks"] = "The signed-in user's tasks.",
        ["Results"] = "Results generated from the signed-in user's data.",
        ["Audit"] = "Every change to the signed-in user's data.",
        ["Admin"] = "Operator routes (role `admin`).",
        ["Operations"] = "Liveness and readiness probes.",
    };

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Info = new OpenApiInfo { Title = "UserData API", Version = ApiResponses.ApiVersion, Description = Conventions };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The `access_token` of register, login or refresh (15 minutes).",
        };
        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            tag.Description = TagDescriptions.GetValueOrDefault(tag.Name ?? string.Empty);
        }

        // The generator names the server the request came to, with a trailing slash that would double every path's.
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        return Task.CompletedTask;
    }
}
