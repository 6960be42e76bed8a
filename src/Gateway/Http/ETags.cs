using System.Globalization;
using UserData.Gateway.OpenApi;

namespace UserData.Gateway.Http;

/// <summary><c>ETag: "&lt;version&gt;"</c> on single resources, and the version an <c>If-Match</c> names.</summary>
public static class ETags
{
    public static ApiResponseHeader Header { get; } = new("ETag", "The resource's version, `\"<version>\"`: send it in `If-Match` to make a write conditional.");

    public static ApiParameter IfMatchParameter { get; } = ApiParameter.Header(
        "If-Match", "Makes the write conditional: `\"<version>\"` from the resource's `ETag` (412 `PRECONDITION_FAILED` when it is no longer current).");

    public static void Set(HttpResponse response, long version)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.ETag = $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";
    }

    /// <summary>Null without If-Match or with <c>*</c>; an If-Match that names no version of ours can never match (412).</summary>
    public static long? IfMatch(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return null;
        }

        var tag = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        if (tag.Length > 2 && tag[0] == '"' && tag[^1] == '"'
            && long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return version;
        }

        throw new ApiException(StatusCodes.Status412PreconditionFailed, ErrorCodes.PreconditionFailed, "If-Match does not name a current version");
    }
}
