using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using UserData.Gateway.Api;
using UserData.Gateway.Auth;
using UserData.Gateway.Dashboard;
using UserData.Gateway.Health;
using UserData.Gateway.Http;
using UserData.Gateway.Json;
using UserData.Gateway.Logging;
using UserData.Gateway.OpenApi;
using UserData.Gateway.Options;
using UserData.Gateway.RateLimiting;
using UserData.Grains.Users;
using UserData.Grains.Validation;
using UserData.Silo.DataProtection;
using UserData.Silo.Health;
using UserData.Silo.Hosting;
using UserData.Silo.Telemetry;

namespace UserData.Gateway.Hosting;

/// <summary>
/// Builds the gateway: the HTTP API in front of the grains, with a co-hosted Orleans silo (by default; with
/// <c>Cluster:Provider=DynamoDB</c> a cluster member like a silo process) or, with <c>Gateway:CoHostSilo=false</c>, as an
/// Orleans client of the cluster.
/// </summary>
public static class GatewayApplication
{
    public const string DefaultUrl = "http://127.0.0.1:8080";
    public const string CorsPolicy = "frontend";

    /// <summary>Async because a clustered silo resolves its advertised address (ECS task metadata) before the host is built.</summary>
    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = JsonBody.MaxBytes;
            kestrel.ConfigureEndpointDefaults(listen => listen.UseServerErrorEnvelope());
        });
        builder.AddConsoleLogs();
        SigningKeySetup.EnsureLocalSigningKey(builder.Configuration);
        AddServices(builder.Services, builder.Configuration);
        if (builder.Configuration.GetValue($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.CoHostSilo)}", true))
        {
            await builder.AddUserDataSiloAsync().ConfigureAwait(false);
        }
        else
        {
            builder.AddUserDataClusterClient();
        }

        builder.Services.AddClusterKeyRing();

        builder.AddUserDataTelemetry();
        var app = builder.Build();
        UsePipeline(app);
        return app;
    }

    private static void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        // The request validators are stateless: one instance of each serves every request.
        services.AddValidatorsFromAssemblyContaining<RegisterRequestValidator>(ServiceLifetime.Singleton);
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BootstrapOptions>().Bind(configuration.GetSection(BootstrapOptions.SectionName));
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<GatewayOptions>>((forwarded, gateway) =>
        {
            // Behind the load balancer every connection comes from it: the client is the address it appended last
            // to X-Forwarded-For (ForwardLimit 1), believed only from the configured proxy networks (not even loopback).
            // X-Forwarded-Proto: the load balancer ends TLS, and the dashboard's cookies are Secure when the client's request was https.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in gateway.Value.TrustedNetworks())
            {
                forwarded.KnownIPNetworks.Add(network);
            }
        });
        services.Configure<PasswordHasherOptions>(configuration.GetSection("Auth:PasswordHasher"));
        services.AddSingleton<IPasswordHasher<Account>, PasswordHasher<Account>>();
        services.AddSingleton<DecoyPassword>();
        services.AddSingleton<PasswordLogin>();
        services.AddSingleton<AdminBootstrap>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<SessionTokens>();
        services.AddSingleton<EmailKeys>();
        services.AddSingleton<IdempotencyKeys>();
        services.AddSingleton<UserGrains>();

        // With an external issuer, a policy scheme sends each token to the scheme of its issuer; ours stay unchanged.
        var authority = configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.Authority)}"];
        var bearerScheme = string.IsNullOrEmpty(authority) ? JwtBearerDefaults.AuthenticationScheme : ExternalTokens.SelectorScheme;
        var authentication = services.AddAuthentication(bearerScheme).AddJwtBearer().AddDashboardCookie(bearerScheme, configuration);
        if (!string.IsNullOrEmpty(authority))
        {
            authentication.AddJwtBearer(ExternalTokens.Scheme).AddPolicyScheme(ExternalTokens.SelectorScheme, null, policy =>
                policy.ForwardDefaultSelector = context =>
                    ExternalTokens.SelectScheme(context, context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value));
            services.AddOptions<JwtBearerOptions>(ExternalTokens.Scheme).Configure<IOptions<AuthOptions>>((jwt, auth) => ExternalTokens.Configure(jwt, auth.Value));
        }

        services.AddSingleton<CachingJsonWebTokenHandler>();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<AuthOptions>, CachingJsonWebTokenHandler>((jwt, auth, handler) =>
        {
            jwt.MapInboundClaims = false;
            // Nothing reads the raw token from the authentication properties; storing it costs on every request.
            jwt.SaveToken = false;
            jwt.TokenHandlers.Clear();
            jwt.TokenHandlers.Add(handler);
            jwt.RequireHttpsMetadata = false;
            // The challenge says "Bearer" only: why a token failed is for the logs, not for whoever sent it.
            jwt.IncludeErrorDetails = false;
            jwt.TokenValidationParameters = AccessTokens.ValidationParameters(auth.Value);
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminApi.AdminPolicy, policy => policy.AddAuthenticationSchemes(DashboardAuthentication.AdminScheme).RequireAuthenticatedUser().RequireRole(Roles.Admin));

        var origins = (configuration["FRONTEND_URL"] ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(origins)
            .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
            .WithHeaders("Authorization", "Content-Type", "If-Match", IdempotencyKeys.Header, RequestIdMiddleware.Header)
            .WithExposedHeaders("ETag", "Location", RequestIdMiddleware.Header, "Retry-After")));
        services.AddApiRateLimits();

        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Converters.Add(new TimestampJsonConverter());
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            // Numbers are numbers (the web defaults also read them from strings, which the OpenAPI schemas then show).
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.AddApiDocument();
    }

    private static void UsePipeline(WebApplication app)
    {
        // With no known proxy the forwarded-headers middleware believes every peer, so it runs only when one is configured.
        if (app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.TrustedNetworks().Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseMiddleware<SecurityHeadersMiddleware>(!string.IsNullOrWhiteSpace(app.Configuration["FRONTEND_URL"]));
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseRequestLog();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseStatusCodePages(StatusCodeErrors.WriteAsync);
        app.UseCors(CorsPolicy);
        // Only /docs requests reach the UI middleware, which otherwise matches every path against its patterns.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/docs", StringComparison.OrdinalIgnoreCase), docs => docs.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "docs";
            ui.SwaggerEndpoint("/openapi/v1.json", "UserData API v1");
        }));
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseMiddleware<UnknownQueryParameterMiddleware>();

        // The one document: any other /openapi/... path is a 404 in the error envelope, not the generator's text echo.
        app.MapOpenApi("/openapi/v1.json");
        app.MapHealthApi();
        app.MapUserDataMetrics();
        app.MapUserDataDashboard();
        app.MapAuthApi();
        app.MapAdminUsersApi();
        app.MapGroup("/api/v1/me")
            .RequireAuthorization()
            .RequireRateLimiting(RateLimitingSetup.UserPolicy)
            .WithTags("Profile")
            .InApiDocument()
            .ProducesErrors(ErrorCodes.Unavailable)
            .MapProfileApi()
            .MapTasksApi()
            .MapResultsApi()
            .MapAuditApi();
    }
}
