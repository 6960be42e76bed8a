using System.Globalization;
using UserData.Gateway.Http;
using UserData.Grains.Requests;
using UserData.Grains.Validation;

namespace UserData.Gateway.Api;

/// <summary>Reads list query parameters with exact errors (a non-number limit is a 400 with details, not a binder failure).</summary>
public static class QueryParameters
{
    public static PageQuery Page(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<FieldError>();
        var query = new PageQuery(Int(request, "limit", PageQuery.DefaultLimit, errors), Int(request, "offset", 0, errors));
        return Check(query, errors, Validators.Page);
    }

    public static TaskListQuery Tasks(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<FieldError>();
        var query = new TaskListQuery(
            Int(request, "limit", PageQuery.DefaultLimit, errors),
            Int(request, "offset", 0, errors),
            Text(request, "status", errors),
            Text(request, "category", errors),
            Text(request, "tag", errors),
            Text(request, "sort", errors) ?? TaskListQuery.DefaultSort);
        return Check(query, errors, Validators.TaskList);
    }

    private static T Check<T>(T query, List<FieldError> parseErrors, RequestValidator<T> validator)
    {
        var errors = parseErrors.Concat(validator.Check(query).Where(error => parseErrors.All(parsed => parsed.Field != error.Field))).ToList();
        return errors.Count > 0 ? throw ApiException.Validation(errors) : query;
    }

    private static int Int(HttpRequest request, string name, int fallback, List<FieldError> errors)
    {
        var text = Text(request, name, errors);
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add(new FieldError(name, Issues.InvalidType, $"{name} must be an integer"));
        return fallback;
    }

    /// <summary>The parameter's single value; empty means absent; a repeated parameter is an error.</summary>
    private static string? Text(HttpRequest request, string name, List<FieldError> errors)
    {
        var values = request.Query[name];
        if (values.Count > 1)
        {
            errors.Add(new FieldError(name, Issues.InvalidValue, $"{name} must be given once"));
            return null;
        }

        return values.Count == 0 || string.IsNullOrEmpty(values[0]) ? null : values[0];
    }
}
