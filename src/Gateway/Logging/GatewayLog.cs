namespace UserData.Gateway.Logging;

/// <summary>
/// The gateway's structured log lines. None takes a password, token, hash or request body: only ids and
/// outcomes. The request id comes from the log scope opened for every request.
/// </summary>
public static partial class GatewayLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "Request failed with {StatusCode}")]
    public static partial void RequestFailed(ILogger logger, Exception exception, int statusCode);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request failed after its response had started")]
    public static partial void ResponseAlreadyStarted(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} registered")]
    public static partial void UserRegistered(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} logged in")]
    public static partial void LoginSucceeded(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Login refused")]
    public static partial void LoginFailed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh refused for user {UserId}: {Reason}")]
    public static partial void RefreshRefused(ILogger logger, string userId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Operation} presented a refresh token that fails its integrity check; no grain was called")]
    public static partial void RefreshTokenForged(ILogger logger, string operation);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} erased their account")]
    public static partial void UserErased(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rate limit {Policy} refused a request")]
    public static partial void RateLimited(ILogger logger, string policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} signed in to the dashboard")]
    public static partial void DashboardSignedIn(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard sign-in refused for user {UserId}: not an admin")]
    public static partial void DashboardSignInRefused(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} signed out of the dashboard")]
    public static partial void DashboardSignedOut(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} now has the role {Role}, changed by {ChangedBy}")]
    public static partial void RoleChanged(ILogger logger, string userId, string role, string changedBy);

    [LoggerMessage(Level = LogLevel.Information, Message = "The grains of user {UserId} were deactivated: their next call reads storage")]
    public static partial void UserReloaded(ILogger logger, string userId);
}
