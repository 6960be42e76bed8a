using System.Linq.Expressions;
using FluentValidation;

namespace UserData.Grains.Validation;

/// <summary>Base of the request validators: one issue per field (the first rule it breaks), mapped to <see cref="FieldError"/>.</summary>
public abstract class RequestValidator<T> : AbstractValidator<T>
{
    protected RequestValidator()
    {
        RuleLevelCascadeMode = CascadeMode.Stop;
    }

    /// <summary>A rule whose errors name the field as the API does (snake_case), not as the C# property.</summary>
    protected IRuleBuilderInitial<T, TProperty> Field<TProperty>(Expression<Func<T, TProperty>> expression, string name) =>
        RuleFor(expression).Configure(rule => rule.PropertyName = name);

}

public static class ValidatorExtensions
{
    /// <summary>The request's problems as the API reports them (an empty list when it is valid).</summary>
    public static IReadOnlyList<FieldError> Check<T>(this IValidator<T> validator, T request)
    {
        ArgumentNullException.ThrowIfNull(validator);
        return validator.Validate(request).Errors.Select(error => new FieldError(error.PropertyName, error.ErrorCode, error.ErrorMessage)).ToList();
    }
}
