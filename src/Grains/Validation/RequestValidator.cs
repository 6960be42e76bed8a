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

    public IReadOnlyList<FieldError> Check(T request) =>
        Validate(request).Errors.Select(error => new FieldError(error.PropertyName, error.ErrorCode, error.ErrorMessage)).ToList();
}
