using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using UserData.Gateway.Auth;
using UserData.Gateway.Http;
using UserData.Gateway.Json;
using UserData.Gateway.Logging;
using UserData.Gateway.Options;
using UserData.Gateway.RateLimiting;
using UserData.Grains.Common;
using UserData.Grains.Emails;
using UserData.Grains.Errors;
using UserData.Grains.Users;
using UserData.Grains.Validation;
using UserData.Runtime.Grains;

namespace UserData.Gateway.Api;

/// <summary>/api/v1/auth: register, login, refresh, logout.</summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("Auth");
        group.MapPost("/register", RegisterAsync).RequireRateLimiting(RateLimitingSetup.RegisterPolicy)
            .Accepts<Grains.Requests.RegisterRequest>("application/json");
        group.MapPost("/login", LoginAsync).Accepts<Grains.Requests.LoginRequest>("application/json");
        group.MapPost("/refresh", RefreshAsync).Accepts<Grains.Requests.RefreshTokenRequest>("application/json");
        group.MapPost("/logout", LogoutAsync).Accepts<Grains.Requests.RefreshTokenRequest>("application/json");
        return group;
    }

    public static async Task<Created<Envelope<AuthResponse>>> RegisterAsync(
        HttpContext context, IGrainFactory grains, IPasswordHasher<Account> hasher, AccessTokens tokens, IdempotencyKeys idempotencyKeys,
        IOptions<AuthOptions> auth, IOptions<BootstrapOptions> bootstrap, ILogger<Account> logger)
    {
        var body = await JsonBody.ReadAsync(context, ApiJsonContext.Default.RegisterRequest, RequestSchemas.Register, Validators.Register);
        var request = body.Value;
        var email = ValidationRules.NormalizeEmail(request.Email!);
        var role = bootstrap.Value.IsAdmin(email) ? Roles.Admin : Roles.User;
        var hash = hasher.HashPassword(Account.Instance, request.Password!);
        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? null : request.DisplayName.Trim();
        var requestContext = new RequestContext(context.TraceIdentifier);
        var registered = await grains.GetGrain<IEmailGrain>(email)
            .RegisterAsync(new Registration(Guid.NewGuid().ToString(), email, hash, displayName, role), idempotencyKeys.Read(context, body.Raw), requestContext);
        var session = await grains.GetGrain<IUserGrain>(registered.Value.Id).StartSessionAsync(auth.Value.RefreshTokenLifetime, requestContext);
        if (!registered.Replayed)
        {
            GatewayLog.UserRegistered(logger, registered.Value.Id);
        }

        return TypedResults.Created($"/api/v1/me", ApiResponses.Envelope(context, Respond(session, tokens)));
    }

    public static async Task<Ok<Envelope<AuthResponse>>> LoginAsync(
        HttpContext context, IGrainFactory grains, IPasswordHasher<Account> hasher, DecoyPassword decoy, AccessTokens tokens, LoginRateLimiter limiter,
        IOptions<AuthOptions> auth, ILogger<Account> logger)
    {
        var request = (await JsonBody.ReadAsync(context, ApiJsonContext.Default.LoginRequest, RequestSchemas.Login, Validators.Login)).Value;
        var email = ValidationRules.NormalizeEmail(request.Email!);
        if (limiter.TryAcquire(RateLimitingSetup.ClientAddress(context), email) is { } retryAfter)
        {
            throw new RateLimitedException(retryAfter);
        }

        var credentials = ValidationRules.IsValidEmail(email) && await grains.GetGrain<IEmailGrain>(email).GetClaimantAsync() is { } userId
            ? await grains.GetGrain<IUserGrain>(userId).GetCredentialsAsync()
            : null;

        // Unknown email or not: one hash verification either way, so timing tells nothing.
        var verified = hasher.VerifyHashedPassword(Account.Instance, credentials?.PasswordHash ?? decoy.Hash, request.Password!);
        if (credentials is null || credentials.Email != email || verified == PasswordVerificationResult.Failed)
        {
            GatewayLog.LoginFailed(logger);
            throw new ApiException(StatusCodes.Status401Unauthorized, ErrorCodes.InvalidCredentials, "Invalid email or password");
        }

        var session = await grains.GetGrain<IUserGrain>(credentials.UserId)
            .StartSessionAsync(auth.Value.RefreshTokenLifetime, new RequestContext(context.TraceIdentifier));
        GatewayLog.LoginSucceeded(logger, credentials.UserId);
        return TypedResults.Ok(ApiResponses.Envelope(context, Respond(session, tokens)));
    }

    public static async Task<Ok<Envelope<AuthResponse>>> RefreshAsync(
        HttpContext context, IGrainFactory grains, AccessTokens tokens, IOptions<AuthOptions> auth, ILogger<Account> logger)
    {
        var request = (await JsonBody.ReadAsync(context, ApiJsonContext.Default.RefreshTokenRequest, RequestSchemas.RefreshToken, Validators.RefreshToken)).Value;
        if (!RefreshTokens.TryParse(request.RefreshToken, out var userId, out var familyId, out var secret))
        {
            throw ApiException.Unauthenticated("The refresh token is invalid");
        }

        try
        {
            var session = await grains.GetGrain<IUserGrain>(userId)
                .RefreshSessionAsync(familyId, secret, auth.Value.RefreshTokenLifetime, new RequestContext(context.TraceIdentifier));
            return TypedResults.Ok(ApiResponses.Envelope(context, Respond(session, tokens)));
        }
        catch (InvalidRefreshTokenException refused)
        {
            GatewayLog.RefreshRefused(logger, userId, refused.Message);
            throw;
        }
    }

    public static async Task<NoContent> LogoutAsync(HttpContext context, IGrainFactory grains)
    {
        var request = (await JsonBody.ReadAsync(context, ApiJsonContext.Default.RefreshTokenRequest, RequestSchemas.RefreshToken, Validators.RefreshToken)).Value;
        if (RefreshTokens.TryParse(request.RefreshToken, out var userId, out var familyId, out var secret))
        {
            try
            {
                await grains.GetGrain<IUserGrain>(userId).RevokeSessionAsync(familyId, secret, new RequestContext(context.TraceIdentifier));
            }
            catch (UserNotFoundException)
            {
                // The account is gone, and its sessions with it: logging out of it is already done.
            }
        }

        return TypedResults.NoContent();
    }

    private static AuthResponse Respond(IssuedSession session, AccessTokens tokens) =>
        new(session.Profile, tokens.Issue(session.Profile), "Bearer", tokens.LifetimeSeconds, session.RefreshToken);
}

/// <summary>The type <see cref="IPasswordHasher{TUser}"/> is keyed by; the hasher ignores the instance.</summary>
public sealed class Account
{
    public static Account Instance { get; } = new();
}

/// <summary>A hash of a random password, verified against when the email is unknown (the same work as a real check).</summary>
public sealed class DecoyPassword(IPasswordHasher<Account> hasher)
{
    public string Hash { get; } = hasher.HashPassword(Account.Instance, Guid.NewGuid().ToString());
}

/// <summary>A rate limit checked inside a handler (login) rather than by the middleware.</summary>
public sealed class RateLimitedException : Exception
{
    public RateLimitedException() : this(TimeSpan.FromMinutes(1)) { }

    public RateLimitedException(string message) : base(message) { }

    public RateLimitedException(string message, Exception innerException) : base(message, innerException) { }

    public RateLimitedException(TimeSpan retryAfter) : base("Too many requests") => RetryAfter = retryAfter;

    public TimeSpan RetryAfter { get; }
}
