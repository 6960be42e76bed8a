using Orleans;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using UserData.Gateway.Auth;
using UserData.Gateway.Http;
using UserData.Gateway.Json;
using UserData.Gateway.Logging;
using UserData.Gateway.OpenApi;
using UserData.Gateway.RateLimiting;
using UserData.Grains.Common;
using UserData.Grains.Emails;
using UserData.Grains.Errors;
using UserData.Grains.Users;
using UserData.Grains.Validation;

namespace UserData.Gateway.Api;

/// <summary>/api/v1/auth: register, login, refresh, logout.</summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("Auth").InApiDocument()
            .WithParameters(IdempotencyKeys.Parameter)
            .ProducesErrors(ErrorCodes.IdempotencyKeyReused, ErrorCodes.Unavailable);
        group.MapPost("/register", RegisterAsync).WithName("register").RequireRateLimiting(RateLimitingSetup.RegisterPolicy)
            .Accepts<Grains.Requests.RegisterRequest>("application/json")
            .WithSummary("Create an account and sign in")
            .WithDescription("The email must not be registered yet; the password has 8-128 characters. Answers the new profile and a token pair.")
            .ProducesErrors(ErrorCodes.EmailTaken);
        group.MapPost("/login", LoginAsync).WithName("login").Accepts<Grains.Requests.LoginRequest>("application/json")
            .WithSummary("Sign in with email and password")
            .ProducesErrors(ErrorCodes.InvalidCredentials, ErrorCodes.RateLimited);
        group.MapPost("/refresh", RefreshAsync).WithName("refresh").Accepts<Grains.Requests.RefreshTokenRequest>("application/json")
            .WithSummary("Trade a refresh token for a new token pair")
            .WithDescription("Refresh tokens rotate: the one presented is dead afterwards, and presenting a dead one ends its whole session.")
            .ProducesErrors(ErrorCodes.Unauthenticated);
        group.MapPost("/logout", LogoutAsync).WithName("logout").Accepts<Grains.Requests.RefreshTokenRequest>("application/json")
            .WithSummary("End the session of a refresh token")
            .WithDescription("Answers 204 whether or not the token was still valid.");
        return group;
    }

    public static async Task<Created<Envelope<AuthResponse>>> RegisterAsync(
        HttpContext context, IGrainFactory grains, IPasswordHasher<Account> hasher, SessionTokens tokens, IdempotencyKeys idempotencyKeys,
        EmailKeys emailKeys, AdminBootstrap adminBootstrap, ILogger<Account> logger)
    {
        var body = await JsonBody.ReadAsync(context, ApiJsonContext.Default.RegisterRequest, RequestSchemas.Register);
        var request = body.Value;
        var email = ValidationRules.NormalizeEmail(request.Email!);
        var newUserId = Guid.NewGuid().ToString();
        var role = await adminBootstrap.RoleForRegistrationAsync(newUserId, email);
        var hash = hasher.HashPassword(Account.Instance, request.Password!);
        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? null : request.DisplayName.Trim();
        var requestContext = new RequestOrigin(context.TraceIdentifier);
        var idempotency = idempotencyKeys.Read(context, body.Raw);
        var registered = await grains.GetGrain<IEmailGrain>(emailKeys.GrainKey(email))
            .RegisterAsync(new Registration(newUserId, email, hash, displayName, role), idempotency, requestContext);
        // A replayed registration finds its session under the same key in the user's grain, so it answers the same tokens.
        var userId = registered.Value.Id;
        var session = await grains.GetGrain<IUserGrain>(userId).StartSessionAsync(tokens.Start(userId), idempotency, requestContext);
        if (!registered.Replayed)
        {
            GatewayLog.UserRegistered(logger, userId);
        }

        return TypedResults.Created($"/api/v1/me", ApiResponses.Envelope(context, tokens.Started(session.Value)));
    }

    public static async Task<Ok<Envelope<AuthResponse>>> LoginAsync(
        HttpContext context, IGrainFactory grains, PasswordLogin passwordLogin, SessionTokens tokens, IdempotencyKeys idempotencyKeys, ILogger<Account> logger)
    {
        var body = await JsonBody.ReadAsync(context, ApiJsonContext.Default.LoginRequest, RequestSchemas.Login);
        var request = body.Value;
        var idempotency = idempotencyKeys.Read(context, body.Raw);
        var credentials = await passwordLogin.VerifyAsync(context, request.Email!, request.Password!);

        // The password was checked first: a replay needs it as much as a login does (it is also in the fingerprint).
        var session = await grains.GetGrain<IUserGrain>(credentials.UserId)
            .StartSessionAsync(tokens.Start(credentials.UserId), idempotency, new RequestOrigin(context.TraceIdentifier));
        GatewayLog.LoginSucceeded(logger, credentials.UserId);
        return TypedResults.Ok(ApiResponses.Envelope(context, tokens.Started(session.Value)));
    }

    public static async Task<Ok<Envelope<AuthResponse>>> RefreshAsync(
        HttpContext context, IGrainFactory grains, SessionTokens tokens, IdempotencyKeys idempotencyKeys, ILogger<Account> logger)
    {
        var body = await JsonBody.ReadAsync(context, ApiJsonContext.Default.RefreshTokenRequest, RequestSchemas.RefreshToken);
        var presented = body.Value.RefreshToken!;
        var idempotency = idempotencyKeys.Read(context, body.Raw);
        if (!tokens.TryOpen(presented, out var userId, out var familyId, out var secret))
        {
            GatewayLog.RefreshTokenForged(logger, "refresh");
            throw RefreshRefused();
        }

        try
        {
            var session = await grains.GetGrain<IUserGrain>(userId).RefreshSessionAsync(
                secret, tokens.Rotate(familyId, presented), idempotency, new RequestOrigin(context.TraceIdentifier));
            return TypedResults.Ok(ApiResponses.Envelope(context, tokens.Rotated(session.Value, presented)));
        }
        catch (Exception refused) when (refused is InvalidRefreshTokenException or UserNotFoundException)
        {
            // A reused, revoked or expired token and an erased user's token answer alike: the reason is for the log only.
            GatewayLog.RefreshRefused(logger, userId, refused.Message);
            throw RefreshRefused();
        }
    }

    public static async Task<NoContent> LogoutAsync(HttpContext context, IGrainFactory grains, SessionTokens tokens, IdempotencyKeys idempotencyKeys, ILogger<Account> logger)
    {
        var body = await JsonBody.ReadAsync(context, ApiJsonContext.Default.RefreshTokenRequest, RequestSchemas.RefreshToken);
        var idempotency = idempotencyKeys.Read(context, body.Raw);
        if (!tokens.TryOpen(body.Value.RefreshToken, out var userId, out var familyId, out var secret))
        {
            GatewayLog.RefreshTokenForged(logger, "logout");
        }
        else
        {
            try
            {
                await grains.GetGrain<IUserGrain>(userId).RevokeSessionAsync(familyId, secret, idempotency, new RequestOrigin(context.TraceIdentifier));
            }
            catch (UserNotFoundException)
            {
                // The account is gone, and its sessions with it: logging out of it is already done.
            }
        }

        return TypedResults.NoContent();
    }

    /// <summary>Every refused refresh answers this: forged, unknown user, erased user, reused, revoked or expired alike.</summary>
    private static ApiException RefreshRefused() => ApiException.Unauthenticated("The refresh token is invalid");
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
