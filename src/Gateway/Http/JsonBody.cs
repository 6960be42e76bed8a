using FluentValidation;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using UserData.Gateway.Json;
using UserData.Grains.Validation;

namespace UserData.Gateway.Http;

/// <summary>The fields a request body may have: top-level names, and for object-valued fields the names inside.</summary>
public sealed record BodySchema(IReadOnlyList<string> Fields, IReadOnlyDictionary<string, IReadOnlyList<string>>? Nested = null);

/// <summary>A body read and validated, with its raw bytes (for the idempotency fingerprint).</summary>
public sealed record ReadBody<T>(T Value, byte[] Raw);

/// <summary>
/// Reads a JSON request body the same way for every endpoint: media type (415), size (413), UTF-8 and syntax
/// (400 INVALID_JSON), unknown fields, wrong types and the request's validator (400 VALIDATION_ERROR with details).
/// </summary>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;
    private const int MaxJsonDepth = 64;

    public static async Task<ReadBody<T>> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, BodySchema schema)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(schema);
        var raw = await ReadBytesAsync(context);
        if (raw.Length == 0)
        {
            throw ApiException.Validation("body", Issues.Required, "A JSON request body is required");
        }

        using var document = Parse(raw);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.Validation("body", Issues.InvalidType, "The request body must be a JSON object");
        }

        var unknown = UnknownFields(root, schema);
        if (unknown.Count > 0)
        {
            throw ApiException.Validation(unknown);
        }

        T value;
        try
        {
            value = root.Deserialize(typeInfo) ?? throw ApiException.Validation("body", Issues.InvalidType, "The request body must be a JSON object");
        }
        catch (JsonException exception)
        {
            throw ApiException.Validation([TypeError(exception)]);
        }

        var errors = context.RequestServices.GetRequiredService<IValidator<T>>().Check(value);
        return errors.Count > 0 ? throw ApiException.Validation(errors) : new ReadBody<T>(value, raw);
    }

    /// <summary>For POSTs without a body (POST /me/results): none, or an empty JSON object, is accepted.</summary>
    public static async Task<byte[]> ReadEmptyAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var raw = await ReadBytesAsync(context);
        if (raw.Length > 0)
        {
            using var document = Parse(raw);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ApiException.Validation("body", Issues.InvalidType, "The request body must be a JSON object");
            }

            var unknown = UnknownFields(document.RootElement, new BodySchema([]));
            if (unknown.Count > 0)
            {
                throw ApiException.Validation(unknown);
            }
        }

        return raw;
    }

    private static async Task<byte[]> ReadBytesAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > MaxBytes)
        {
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"The request body must be at most {MaxBytes} bytes");
        }

        var hasBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0;
        if (!hasBody)
        {
            return [];
        }

        if (!IsJson(request.ContentType))
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, "Content-Type must be application/json");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw new ApiException(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"The request body must be at most {MaxBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        var isJson = mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);
        var charset = mediaType.Charset;
        return isJson && (!charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
    }

    private static JsonDocument Parse(byte[] raw)
    {
        if (!Utf8.IsValid(raw))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The request body is not valid UTF-8");
        }

        try
        {
            if (!HasWellFormedStrings(raw))
            {
                throw new ApiException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The request body has a string that is not valid Unicode (a lone surrogate escape)");
            }

            return JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = MaxJsonDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The request body is not valid JSON");
        }
    }

    /// <summary>
    /// System.Text.Json's syntax check lets a lone surrogate escape such as <c>"\udc00"</c> through; reading that string (a
    /// value or a property name, even the duplicate check does) then throws, wherever that happens. Only escaped strings can
    /// hold one: the raw bytes are valid UTF-8. Syntax errors throw <see cref="JsonException"/> here, as in the parse.
    /// </summary>
    private static bool HasWellFormedStrings(byte[] raw)
    {
        var reader = new Utf8JsonReader(raw, new JsonReaderOptions { MaxDepth = MaxJsonDepth });
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                try
                {
                    reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static List<FieldError> UnknownFields(JsonElement root, BodySchema schema)
    {
        var errors = new List<FieldError>();
        foreach (var property in root.EnumerateObject())
        {
            if (!schema.Fields.Contains(property.Name, StringComparer.Ordinal))
            {
                errors.Add(new FieldError(property.Name, Issues.UnknownField, $"Unknown field '{property.Name}'"));
            }
            else if (schema.Nested?.GetValueOrDefault(property.Name) is { } nested && property.Value.ValueKind == JsonValueKind.Object)
            {
                errors.AddRange(property.Value.EnumerateObject()
                    .Where(inner => !nested.Contains(inner.Name, StringComparer.Ordinal))
                    .Select(inner => new FieldError($"{property.Name}.{inner.Name}", Issues.UnknownField, $"Unknown field '{property.Name}.{inner.Name}'")));
            }
        }

        return errors;
    }

    private static FieldError TypeError(JsonException exception)
    {
        var path = exception.Path is { Length: > 1 } jsonPath && jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : "body";
        return exception.Message.StartsWith(TimestampJsonConverter.InvalidFormatMessage[..14], StringComparison.Ordinal)
            ? new FieldError(path, Issues.InvalidFormat, "Must be an ISO 8601 timestamp with an offset, e.g. 2026-01-01T12:00:00.000Z")
            : new FieldError(path, Issues.InvalidType, "The value has the wrong JSON type");
    }
}
