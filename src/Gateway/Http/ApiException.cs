using UserData.Grains.Validation;

namespace UserData.Gateway.Http;

/// <summary>An error the gateway itself decides (bad body, bad header, bad credentials), written as the error envelope.</summary>
public sealed class ApiException : Exception
{
    public ApiException() : this(StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "Internal error") { }

    public ApiException(string message) : this(StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, message) { }

    public ApiException(string message, Exception innerException) : base(message, innerException)
    {
        StatusCode = StatusCodes.Status500InternalServerError;
        Code = ErrorCodes.InternalError;
    }

    public ApiException(int statusCode, string code, string message, IReadOnlyList<FieldError>? details = null) : base(message)
    {
        StatusCode = statusCode;
        Code = code;
        Details = details;
    }

    public int StatusCode { get; }

    public string Code { get; }

    public IReadOnlyList<FieldError>? Details { get; }

    public static ApiException Validation(IReadOnlyList<FieldError> details) =>
        new(StatusCodes.Status400BadRequest, ErrorCodes.ValidationError, "Invalid request data", details);

    public static ApiException Validation(string field, string issue, string message) => Validation([new FieldError(field, issue, message)]);

    public static ApiException Unauthenticated(string message = "Authentication required") =>
        new(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthenticated, message);
}
