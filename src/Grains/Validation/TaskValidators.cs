using FluentValidation;
using UserData.Grains.Requests;
using UserData.Grains.Tasks;

namespace UserData.Grains.Validation;

/// <summary>The rules of each task field, shared by create, replace and patch.</summary>
internal static class TaskFieldRules
{
    public static void Name<T>(IRuleBuilder<T, string?> rule) =>
        rule.Must(name => !string.IsNullOrWhiteSpace(name)).WithErrorCode(Issues.Required).WithMessage("Name is required")
            .Must(name => name!.Trim().Length <= TaskRules.MaxNameLength)
            .WithErrorCode(Issues.TooLong).WithMessage($"Name must be at most {TaskRules.MaxNameLength} characters")
            .VisibleText("Name");

    public static void Description<T>(IRuleBuilder<T, string?> rule) =>
        rule.MaxChars(TaskRules.MaxDescriptionLength, "Description");

    public static void Status<T>(IRuleBuilder<T, string?> rule) =>
        rule.Must(status => status is null || TaskStates.TryParse(status, out _))
            .WithErrorCode(Issues.InvalidValue).WithMessage($"Status must be one of {string.Join(", ", TaskStates.Names)}");
}

public sealed class TaskMetadataRequestValidator : RequestValidator<TaskMetadataRequest>
{
    public TaskMetadataRequestValidator()
    {
        Field(metadata => metadata.Category, "category")
            .MaxChars(TaskRules.MaxCategoryLength, "Category")
            .VisibleText("Category");
        Field(metadata => metadata.Tags, "tags")
            .Must(tags => tags is null || tags.Count <= TaskRules.MaxTags)
            .WithErrorCode(Issues.TooMany).WithMessage($"At most {TaskRules.MaxTags} tags are allowed")
            .Must(tags => tags is null || tags.Select(tag => tag is null ? null : TextRules.IdentityKey(tag)).Distinct(StringComparer.Ordinal).Count() == tags.Count)
            .WithErrorCode(Issues.Duplicate).WithMessage("Tags must be distinct (compared in any case or width)");
        RuleForEach(metadata => metadata.Tags).Configure(rule => rule.PropertyName = "tags")
            .Must(tag => !string.IsNullOrEmpty(tag)).WithErrorCode(Issues.Required).WithMessage("A tag must not be empty")
            .Must(tag => tag!.Length <= TaskRules.MaxTagLength)
            .WithErrorCode(Issues.TooLong).WithMessage($"A tag must be at most {TaskRules.MaxTagLength} characters")
            .Must(tag => !TextRules.IsUnacceptableLabel(tag))
            .WithErrorCode(Issues.InvalidCharacters).WithMessage("A tag must show something and hold no control, zero-width or bidi-override characters");
    }
}

/// <summary>POST /me/tasks and PUT /me/tasks/{id}.</summary>
public sealed class TaskRequestValidator : RequestValidator<TaskRequest>
{
    public TaskRequestValidator()
    {
        TaskFieldRules.Name(Field(request => request.Name, "name"));
        TaskFieldRules.Description(Field(request => request.Description, "description"));
        TaskFieldRules.Status(Field(request => request.Status, "status"));
        RuleFor(request => request.Metadata).SetValidator(new TaskMetadataRequestValidator()!).OverridePropertyName("metadata");
    }
}

public sealed class PatchTaskRequestValidator : RequestValidator<PatchTaskRequest>
{
    public PatchTaskRequestValidator()
    {
        When(request => request.Name.IsSet, () =>
            TaskFieldRules.Name(Field(request => request.Name.Value, "name")));
        TaskFieldRules.Description(Field(request => request.Description.Value, "description"));
        When(request => request.Status.IsSet, () =>
        {
            Field(request => request.Status.Value, "status")
                .NotNull().WithErrorCode(Issues.Required).WithMessage("Status must not be null");
            TaskFieldRules.Status(Field(request => request.Status.Value, "status"));
        });
        RuleFor(request => request.Metadata.Value).SetValidator(new TaskMetadataRequestValidator()!).OverridePropertyName("metadata");
    }
}

public sealed class PageQueryValidator : RequestValidator<PageQuery>
{
    public PageQueryValidator()
    {
        Field(query => query.Limit, "limit")
            .InclusiveBetween(1, PageQuery.MaxLimit)
            .WithErrorCode(Issues.OutOfRange).WithMessage($"Limit must be between 1 and {PageQuery.MaxLimit}");
        Field(query => query.Offset, "offset")
            .GreaterThanOrEqualTo(0).WithErrorCode(Issues.OutOfRange).WithMessage("Offset must be at least 0");
    }
}

public sealed class TaskListQueryValidator : RequestValidator<TaskListQuery>
{
    public TaskListQueryValidator()
    {
        Field(query => query.Limit, "limit")
            .InclusiveBetween(1, PageQuery.MaxLimit)
            .WithErrorCode(Issues.OutOfRange).WithMessage($"Limit must be between 1 and {PageQuery.MaxLimit}");
        Field(query => query.Offset, "offset")
            .GreaterThanOrEqualTo(0).WithErrorCode(Issues.OutOfRange).WithMessage("Offset must be at least 0");
        TaskFieldRules.Status(Field(query => query.Status, "status"));
        Field(query => query.Category, "category").MaxChars(TaskRules.MaxCategoryLength, "Category");
        Field(query => query.Tag, "tag").MaxChars(TaskRules.MaxTagLength, "Tag");
        Field(query => query.Sort, "sort")
            .Must(sort => TaskSort.TryParse(sort, out _))
            .WithErrorCode(Issues.InvalidValue)
            .WithMessage($"Sort must be <field>:<asc|desc> with field one of {string.Join(", ", TaskSort.Fields)}");
    }
}
