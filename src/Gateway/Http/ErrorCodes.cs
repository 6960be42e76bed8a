namespace UserData.Gateway.Http;

/// <summary>The error codes of api.md, and the one an error response without a more specific code gets from its status.</summary>
public static class ErrorCodes
{
    public const string BadRequest = "BAD_REQUEST";
    public const string RequestTimeout = "REQUEST_TIMEOUT";
    public const string UriTooLong = "URI_TOO_LONG";
    public const string HeadersTooLarge = "HEADERS_TOO_LARGE";
    public const string InvalidJson = "INVALID_JSON";
    public const string ValidationError = "VALIDATION_ERROR";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string InvalidCredentials = "INVALID_CREDENTIALS";
    public const string Forbidden = "FORBIDDEN";
    public const string NotFound = "NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string Conflict = "CONFLICT";
    public const string EmailTaken = "EMAIL_TAKEN";
    public const string DuplicateName = "DUPLICATE_NAME";
    public const string PreconditionFailed = "PRECONDITION_FAILED";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string TaskLimitExceeded = "TASK_LIMIT_EXCEEDED";
    public const string QuotaExceeded = "QUOTA_EXCEEDED";
    public const string IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED";
    public const string RateLimited = "RATE_LIMITED";
    public const string InternalError = "INTERNAL_ERROR";
    public const string Unavailable = "UNAVAILABLE";

    /// <summary>The code and message of an error the framework or the server raised with nothing but its status.</summary>
    public static (string Code, string Message) ForStatus(int statusCode) => statusCode switch
    {
        400 => (BadRequest, "The request is not a valid HTTP request"),
        401 => (Unauthenticated, "A valid access token is required"),
        403 => (Forbidden, "Not allowed"),
        404 => (NotFound, "No such resource"),
        405 => (MethodNotAllowed, "Method not allowed on this resource"),
        408 => (RequestTimeout, "The request did not arrive in time"),
        413 => (PayloadTooLarge, "The request body is too large"),
        414 => (UriTooLong, "The request target is too long"),
        415 => (UnsupportedMediaType, "Content-Type must be application/json"),
        429 => (RateLimited, "Too many requests"),
        431 => (HeadersTooLarge, "The request headers are too large"),
        503 => (Unavailable, "The service is unavailable"),
        >= 500 => (InternalError, "An internal error occurred"),
        _ => (BadRequest, "Bad request"),
    };
}
