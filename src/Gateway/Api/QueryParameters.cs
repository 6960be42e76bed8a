using FluentValidation;
using System.Globalization;
using Microsoft.OpenApi;
using UserData.Gateway.Http;
using UserData.Gateway.OpenApi;
using UserData.Grains.Requests;
using UserData.Grains.Tasks;
using UserData.Grains.Validation;

namespace UserData.Gateway.Api;

/// <summary>
/// The list query parameters: declared once (<see cref="ApiParameter"/>s, which document them and are the only ones
/// their routes accept) and read with exact errors (a non-number limit is a 400 with details, not a binder failure).
/// </summary>
public static class QueryParameters
{
    public static ApiParameter Limit { get; } = ApiParameter.Query("limit", "How many items to return.") with
    {
        Type = JsonSchemaType.Integer,
        Minimum = 1,
        Maximum = PageQuery.MaxLimit,
        Default = PageQuery.DefaultLimit.ToString(CultureInfo.InvariantCulture),
    };

    public static ApiParameter Offset { get; } = ApiParameter.Query("offset", "How many items to skip.") with
    {
        Type = JsonSchemaType.Integer,
        Minimum = 0,
        Default = "0",
    };

    public static ApiParameter Status { get; } = ApiParameter.Query("status", "Only tasks in this status.") with { Values = TaskStates.Names };

    public static ApiParameter Category { get; } = ApiParameter.Query("category", "Only tasks of this category (`metadata.category`).") with
    {
        MaxLength = TaskRules.MaxCategoryLength,
    };

    public static ApiParameter Tag { get; } = ApiParameter.Query("tag", "Only tasks with this tag (`metadata.tags`).") with { MaxLength = TaskRules.MaxTagLength };

    public static ApiParameter Sort { get; } = ApiParameter.Query("sort", "Order: a field and a direction (`asc` when left out).") with
    {
        Pattern = $"^({string.Join('|', TaskSort.Fields)})(:(asc|desc))?$",
        Default = TaskListQuery.DefaultSort,
    };

    /// <summary>The parameters of a list that is only paged, newest first.</summary>
    public static IReadOnlyList<ApiParameter> Paging { get; } = [Limit, Offset];

    public static IReadOnlyList<ApiParameter> TaskList { get; } = [Limit, Offset, Status, Category, Tag, Sort];

    public static PageQuery Page(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<FieldError>();
        var query = new PageQuery(Int(request, Limit, errors), Int(request, Offset, errors));
        return Check(request, query, errors);
    }

    public static TaskListQuery Tasks(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<FieldError>();
        var query = new TaskListQuery(
            Int(request, Limit, errors),
            Int(request, Offset, errors),
            Text(request, Status.Name, errors),
            Text(request, Category.Name, errors),
            Text(request, Tag.Name, errors),
            Text(request, Sort.Name, errors) ?? Sort.Default!);
        return Check(request, query, errors);
    }

    private static T Check<T>(HttpRequest request, T query, List<FieldError> parseErrors)
    {
        var validator = request.HttpContext.RequestServices.GetRequiredService<IValidator<T>>();
        var errors = parseErrors.Concat(validator.Check(query).Where(error => parseErrors.All(parsed => parsed.Field != error.Field))).ToList();
        return errors.Count > 0 ? throw ApiException.Validation(errors) : query;
    }

    private static int Int(HttpRequest request, ApiParameter parameter, List<FieldError> errors)
    {
        var name = parameter.Name;
        var fallback = int.Parse(parameter.Default!, CultureInfo.InvariantCulture);
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
