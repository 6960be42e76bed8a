using System.Text.Json;
using UserData.Grains.Requests;
using UserData.Grains.Validation;

namespace UserData.Grains.Tests.Domain;

public class ValidatorTests
{
    private static (string Field, string Issue)[] Issues<T>(RequestValidator<T> validator, T request) =>
        validator.Check(request).Select(error => (error.Field, error.Issue)).ToArray();

    [Theory]
    [InlineData(null, "password1", "email", "required")]
    [InlineData("", "password1", "email", "required")]
    [InlineData("not-an-email", "password1", "email", "invalid_format")]
    [InlineData("a b@c.com", "password1", "email", "invalid_format")]
    [InlineData("a@b", "password1", "email", "invalid_format")]
    [InlineData("Name <a@b.com>", "password1", "email", "invalid_format")]
    [InlineData("a@b.com", null, "password", "required")]
    [InlineData("a@b.com", "short", "password", "too_short")]
    public void Register_rules(string? email, string? password, string field, string issue) =>
        Assert.Equal([(field, issue)], Issues(new RegisterRequestValidator(), new RegisterRequest(email, password, null)));

    [Fact]
    public void Register_length_limits()
    {
        var validator = new RegisterRequestValidator();
        var longEmail = new string('a', 250) + "@b.co";
        Assert.Equal([("email", "too_long")], Issues(validator, new RegisterRequest(longEmail, "password1", null)));
        Assert.Equal([("password", "too_long")], Issues(validator, new RegisterRequest("a@b.com", new string('p', 129), null)));
        Assert.Empty(Issues(validator, new RegisterRequest("a@b.com", new string('p', 128), null)));
        Assert.Empty(Issues(validator, new RegisterRequest("a@b.com", "12345678", "Ann")));
        Assert.Equal([("display_name", "too_long")], Issues(validator, new RegisterRequest("a@b.com", "password1", new string('n', 101))));
    }

    [Fact]
    public void Task_rules()
    {
        var validator = new TaskRequestValidator();
        Assert.Empty(Issues(validator, new TaskRequest("x", null, null, null, null)));
        Assert.Equal([("name", "required")], Issues(validator, new TaskRequest("   ", null, null, null, null)));
        Assert.Empty(Issues(validator, new TaskRequest(" " + new string('n', 255) + " ", null, null, null, null)));
        Assert.Equal([("name", "too_long")], Issues(validator, new TaskRequest(new string('n', 256), null, null, null, null)));
        Assert.Equal([("description", "too_long")], Issues(validator, new TaskRequest("x", new string('d', 2001), null, null, null)));
        Assert.Equal([("status", "invalid_value")], Issues(validator, new TaskRequest("x", null, "Done", null, null)));
        Assert.Equal([("metadata.category", "too_long")], Issues(validator, new TaskRequest("x", null, null, null, new TaskMetadataRequest(new string('c', 65), null))));
        var tooMany = Enumerable.Range(0, 21).Select(i => $"t{i}").ToList();
        Assert.Equal([("metadata.tags", "too_many")], Issues(validator, new TaskRequest("x", null, null, null, new TaskMetadataRequest(null, tooMany))));
        Assert.Equal([("metadata.tags", "duplicate")], Issues(validator, new TaskRequest("x", null, null, null, new TaskMetadataRequest(null, ["a", "a"]))));
        Assert.Equal([("metadata.tags[1]", "too_long")], Issues(validator, new TaskRequest("x", null, null, null, new TaskMetadataRequest(null, ["a", new string('t', 33)]))));
        Assert.Equal([("metadata.tags[0]", "required")], Issues(validator, new TaskRequest("x", null, null, null, new TaskMetadataRequest(null, [""]))));
    }

    [Fact]
    public void Patch_checks_only_present_fields()
    {
        var validator = new PatchTaskRequestValidator();
        Assert.Empty(Issues(validator, new PatchTaskRequest()));
        Assert.Equal([("name", "required")], Issues(validator, new PatchTaskRequest { Name = new Optional<string>(null) }));
        Assert.Equal([("status", "required")], Issues(validator, new PatchTaskRequest { Status = new Optional<string>(null) }));
        Assert.Empty(Issues(validator, new PatchTaskRequest { Description = new Optional<string>(null), DueAt = new Optional<DateTimeOffset?>(null) }));
    }

    [Fact]
    public void Profile_attribute_limits()
    {
        var validator = new UpdateProfileRequestValidator();
        JsonElement? Json(string text) => JsonDocument.Parse(text).RootElement;
        Assert.Equal([("attributes", "invalid_type")], Issues(validator, new UpdateProfileRequest { Attributes = new(Json("[1]")) }));
        Assert.Empty(Issues(validator, new UpdateProfileRequest { Attributes = new(Json("""{"a":{"b":{"c":{"d":{"e":{"f":{"g":{}}}}}}}}""")) }));
        Assert.Equal([("attributes", "too_deep")], Issues(validator, new UpdateProfileRequest { Attributes = new(Json("""{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":[]}}}}}}}}""")) }));
        Assert.Equal([("attributes", "too_large")], Issues(validator, new UpdateProfileRequest { Attributes = new(Json($$"""{"a":"{{new string('x', 33 * 1024)}}"}""")) }));
        Assert.Empty(Issues(validator, new UpdateProfileRequest { Attributes = new(null) }));
    }

    [Theory]
    [InlineData(0, 0, "created_at:desc", "limit", "out_of_range")]
    [InlineData(101, 0, "created_at:desc", "limit", "out_of_range")]
    [InlineData(20, -1, "created_at:desc", "offset", "out_of_range")]
    [InlineData(20, 0, "id:asc", "sort", "invalid_value")]
    [InlineData(20, 0, "name:up", "sort", "invalid_value")]
    [InlineData(20, 0, "name:asc:desc", "sort", "invalid_value")]
    public void Task_list_query_rules(int limit, int offset, string sort, string field, string issue) =>
        Assert.Equal([(field, issue)], Issues(new TaskListQueryValidator(), new TaskListQuery(limit, offset, Sort: sort)));

    [Theory]
    [InlineData("name")]
    [InlineData("due_at:asc")]
    [InlineData("updated_at:desc")]
    public void Task_list_accepts_documented_sorts(string sort) =>
        Assert.Empty(Issues(new TaskListQueryValidator(), new TaskListQuery(Sort: sort)));
}
