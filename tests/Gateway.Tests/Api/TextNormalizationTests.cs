using System.Net;
using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Api;

/// <summary>
/// Identities are compared in one form (emails NFKC and lower-case, tags the same, task names NFKC case-insensitively),
/// and names, emails and tags never hold control, invisible or bidi-override characters.
/// </summary>
public sealed class TextNormalizationTests(SqliteGateway fixture) : IClassFixture<SqliteGateway>
{
    private Support.Api Api => fixture.Api;

    private static JsonObject Credentials(string email) => new() { ["email"] = email, ["password"] = Support.Api.Password };

    [Fact]
    public async Task A_fullwidth_email_is_the_same_account_as_its_ascii_form()
    {
        var local = $"admin-{Guid.NewGuid():N}";
        var fullwidth = $"\uFF41{local[1..]}@\uFF45xample.test"; // ａdmin-...@ｅxample.test

        var registered = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", Credentials(fullwidth));
        var again = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", Credentials($"{local}@example.test"));
        var login = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", Credentials($"{local.ToUpperInvariant()}@EXAMPLE.TEST"));

        Expect.Status(registered, HttpStatusCode.Created);
        Assert.Equal($"{local}@example.test", registered.Data["user"]!["email"]!.GetValue<string>());
        Expect.Error(again, HttpStatusCode.Conflict, "EMAIL_TAKEN");
        Expect.Status(login, HttpStatusCode.OK);
        Assert.Equal(registered.Data["user"]!["id"]!.GetValue<string>(), login.Data["user"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bootstrap_admin_email_matches_in_any_width_or_case()
    {
        var registered = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", Credentials("\uFF2F\uFF30ERATOR@example.com")); // ＯＰERATOR

        Expect.Status(registered, HttpStatusCode.Created);
        Assert.Equal("admin", registered.Data["user"]!["role"]!.GetValue<string>());
        Assert.Equal("operator@example.com", registered.Data["user"]!["email"]!.GetValue<string>());
    }

    public static TheoryData<string, string, string> Refused => new()
    {
        { "/api/v1/auth/register", $$"""{"email":"zero\u200Bwidth-{{Guid.NewGuid():N}}@example.test","password":"correct horse"}""", "email" },
        { "/api/v1/auth/register", $$"""{"email":"bidi\u202E-{{Guid.NewGuid():N}}@example.test","password":"correct horse"}""", "email" },
        { "/api/v1/auth/register", $$"""{"email":"nm-{{Guid.NewGuid():N}}@example.test","password":"correct horse","display_name":"evil\u202Egnp.exe"}""", "display_name" },
        { "/api/v1/me/tasks", """{"name":"bell\u0007"}""", "name" },
        { "/api/v1/me/tasks", """{"name":"\u200B\u200D"}""", "name" },
        { "/api/v1/me/tasks", """{"name":"\u3164"}""", "name" },
        { "/api/v1/me/tasks", """{"name":"ok","metadata":{"tags":["\u2066x\u2069"]}}""", "metadata.tags" },
        { "/api/v1/me/tasks", """{"name":"ok","metadata":{"tags":["\uFEFF"]}}""", "metadata.tags" },
        { "/api/v1/me/tasks", """{"name":"ok","metadata":{"category":"a\u0000b"}}""", "metadata.category" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Control_invisible_and_bidi_characters_are_refused(string path, string body, string field)
    {
        var session = await Api.RegisterAsync();
        var reply = await Api.SendRawAsync(HttpMethod.Post, path, body, session.AccessToken);

        Expect.Status(reply, HttpStatusCode.BadRequest);
        Assert.Equal("VALIDATION_ERROR", reply.ErrorCode);
        Assert.Contains(reply.Body!["error"]!["details"]!.AsArray(), detail => detail!["field"]!.GetValue<string>().StartsWith(field, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_display_name_with_invisible_characters_only_is_refused_on_patch()
    {
        var session = await Api.RegisterAsync();

        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"display_name":"\u200B"}""", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("display_name", "invalid_characters"));
        Expect.Error(await Api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"display_name":"\u2800\u3164"}""", session.AccessToken), HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("display_name", "invalid_characters"));
    }

    [Fact]
    public async Task Joiners_that_emoji_and_scripts_need_are_kept()
    {
        var session = await Api.RegisterAsync();
        const string family = "\U0001F468\u200D\U0001F469\u200D\U0001F467"; // one emoji of three joined
        const string persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"; // a ZWNJ inside a word

        var patched = await Api.SendAsync(HttpMethod.Patch, "/api/v1/me", new JsonObject { ["display_name"] = family }, session.AccessToken);
        var task = await Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = persian, ["metadata"] = new JsonObject { ["tags"] = new JsonArray(family) } }, session.AccessToken);

        Expect.Status(patched, HttpStatusCode.OK);
        Assert.Equal(family, patched.Data["display_name"]!.GetValue<string>());
        Expect.Status(task, HttpStatusCode.Created);
        Assert.Equal(persian, task.Data["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tags_are_one_tag_in_any_case_or_width()
    {
        var session = await Api.RegisterAsync();
        static JsonObject Task(string name, params string[] tags) => new() { ["name"] = name, ["metadata"] = new JsonObject { ["tags"] = new JsonArray([.. tags.Select(tag => JsonValue.Create(tag))]) } };

        var duplicate = await Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", Task("twice", "A", "a"), session.AccessToken);
        var first = await Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", Task("one", "Work"), session.AccessToken);
        var second = await Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", Task("two", "\uFF37ORK"), session.AccessToken); // ＷORK
        var filtered = await Api.GetAsync("/api/v1/me/tasks?tag=WORK", session.AccessToken);
        var result = await Api.SendAsync(HttpMethod.Post, "/api/v1/me/results", token: session.AccessToken);

        Expect.Error(duplicate, HttpStatusCode.BadRequest, "VALIDATION_ERROR", ("metadata.tags", "duplicate"));
        Assert.Equal("work", first.Data["metadata"]!["tags"]![0]!.GetValue<string>());
        Assert.Equal("work", second.Data["metadata"]!["tags"]![0]!.GetValue<string>());
        Assert.Equal(2, filtered.Body!["pagination"]!["total"]!.GetValue<int>());
        Assert.Equal("""{"work":2}""", result.Data["summary"]!["by_tag"]!.ToJsonString());
    }

    [Fact]
    public async Task Task_names_are_unique_in_any_case_or_width()
    {
        var session = await Api.RegisterAsync();

        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = "Report" }, session.AccessToken), HttpStatusCode.Created);
        Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = "\uFF52\uFF45\uFF50\uFF4F\uFF52\uFF54" }, session.AccessToken), HttpStatusCode.Conflict, "DUPLICATE_NAME");
    }
}
