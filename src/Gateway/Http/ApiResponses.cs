using UserData.Gateway.Json;
using UserData.Grains.Common;
using UserData.Grains.Validation;

namespace UserData.Gateway.Http;

/// <summary>Builds the envelopes of api.md around data and errors.</summary>
public static class ApiResponses
{
    public const string ApiVersion = "1.0.0";

    public static Meta Meta(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var time = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        return new Meta(context.TraceIdentifier, ApiVersion, Clock.Now(time));
    }

    public static Envelope<T> Envelope<T>(HttpContext context, T data)
        where T : notnull => new(data, Meta(context));

    public static ListEnvelope<T> List<T>(HttpContext context, Page<T> page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new ListEnvelope<T>(page.Items, new Pagination(page.Limit, page.Offset, page.Total, page.HasMore), Meta(context));
    }

    public static async Task WriteErrorAsync(HttpContext context, int statusCode, string code, string message, IReadOnlyList<FieldError>? details = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        var envelope = new ErrorEnvelope(new ErrorBody(code, message, details), Meta(context));
        await context.Response.WriteAsJsonAsync(envelope, ApiJsonContext.Default.ErrorEnvelope, contentType: null, context.RequestAborted);
    }
}
