using System.Text.Json.Serialization;
using UserData.Grains.Validation;

namespace UserData.Gateway.Http;

public sealed record Meta(string RequestId, string Version, DateTimeOffset Timestamp);

/// <summary><c>{"data": ..., "meta": ...}</c></summary>
public sealed record Envelope<T>(T Data, Meta Meta)
    where T : notnull;

/// <summary><c>{"data": [...], "pagination": ..., "meta": ...}</c></summary>
public sealed record ListEnvelope<T>(IReadOnlyList<T> Data, Pagination Pagination, Meta Meta);

public sealed record Pagination(int Limit, int Offset, int Total, bool HasMore);

public sealed record ErrorBody(
    string Code,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FieldError>? Details = null);

/// <summary><c>{"error": {"code", "message", "details"?}, "meta": ...}</c></summary>
public sealed record ErrorEnvelope(ErrorBody Error, Meta Meta);

