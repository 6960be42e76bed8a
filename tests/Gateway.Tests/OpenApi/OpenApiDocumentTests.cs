using System.Text.Json.Nodes;
using UserData.Gateway.Tests.Support;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.OpenApi;

/// <summary>
/// The served <c>/openapi/v1.json</c> is complete and true: a client can use the API from it alone. The last test proves
/// it with real tools: a TypeScript client generated from it type-checks the frontend flow, and Redocly's lint passes.
/// </summary>
public sealed class OpenApiDocumentTests(SqliteGateway fixture) : IClassFixture<SqliteGateway>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    private async Task<JsonObject> DocumentAsync()
    {
        var reply = await fixture.Api.GetAsync("/openapi/v1.json", null);
        Expect.Status(reply, System.Net.HttpStatusCode.OK);
        return reply.Body!.AsObject();
    }

    private static List<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document) =>
        [.. document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject()
                .Where(method => Methods.Contains(method.Key))
                .Select(method => (path.Key, method.Key, method.Value!.AsObject())))];

    private static JsonObject Operation(JsonObject document, string method, string path) =>
        document["paths"]![path]?[method]?.AsObject() ?? throw new InvalidOperationException($"No {method} {path} in the document.");

    private static JsonObject Responses(JsonObject operation) => operation["responses"]!.AsObject();

    private static IEnumerable<string> Statuses(JsonObject operation) => Responses(operation).Select(response => response.Key);

    private static IEnumerable<JsonObject> Parameters(JsonObject operation, string location) =>
        (operation["parameters"]?.AsArray() ?? []).Select(parameter => parameter!.AsObject()).Where(parameter => parameter["in"]!.GetValue<string>() == location);

    private static JsonObject? Header(JsonObject operation, string status, string name) => Responses(operation)[status]?["headers"]?[name]?.AsObject();

    [Fact]
    public async Task Every_operation_has_a_summary_an_id_and_its_errors_in_the_error_envelope()
    {
        var document = await DocumentAsync();
        var operations = Operations(document);

        Assert.Equal(24, operations.Count);
        Assert.Equal(operations.Count, operations.Select(operation => operation.Operation["operationId"]!.GetValue<string>()).Distinct().Count());
        Assert.All(operations, operation =>
        {
            Assert.False(string.IsNullOrWhiteSpace(operation.Operation["summary"]?.GetValue<string>()), $"{operation.Method} {operation.Path} has no summary");

            // Any route refuses an unknown query parameter, and any request can fail unexpectedly.
            Assert.Contains("400", Statuses(operation.Operation));
            Assert.Contains("500", Statuses(operation.Operation));
            foreach (var (status, response) in Responses(operation.Operation).Where(response => response.Key[0] is '4' or '5'))
            {
                if (operation.Path == "/health/ready" && status == "503")
                {
                    continue; // Readiness answers its own status body.
                }

                Assert.Equal("#/components/schemas/ErrorEnvelope", response!["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>());
                Assert.Matches("^`[A-Z_]+`: ", response["description"]!.GetValue<string>());
            }
        });

        var error = document["components"]!["schemas"]!["ErrorBody"]!;
        Assert.Equal(["code", "message"], error["required"]!.AsArray().Select(name => name!.GetValue<string>()));
        Assert.Contains("UNAVAILABLE", error["properties"]!["code"]!["enum"]!.AsArray().Select(code => code!.GetValue<string>()));
    }

    [Fact]
    public async Task Routes_that_need_a_token_require_the_bearer_scheme_and_the_others_say_they_need_none()
    {
        var document = await DocumentAsync();

        var scheme = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        foreach (var (path, method, operation) in Operations(document))
        {
            var security = operation["security"]!.AsArray();
            if (path.StartsWith("/api/v1/me", StringComparison.Ordinal) || path.StartsWith("/api/v1/admin", StringComparison.Ordinal))
            {
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"Bearer":[]}]"""), security), $"{method} {path}: {security.ToJsonString()}");
                Assert.Contains("401", Statuses(operation));
                Assert.Equal(path.StartsWith("/api/v1/admin", StringComparison.Ordinal), Statuses(operation).Contains("403"));
                Assert.Equal(path.StartsWith("/api/v1/me", StringComparison.Ordinal), Statuses(operation).Contains("429"));
            }
            else
            {
                Assert.Empty(security);
            }
        }
    }

    [Fact]
    public async Task List_routes_document_their_query_parameters_with_types_limits_and_defaults()
    {
        var document = await DocumentAsync();

        var tasks = Parameters(Operation(document, "get", "/api/v1/me/tasks"), "query").ToDictionary(parameter => parameter["name"]!.GetValue<string>(), parameter => parameter["schema"]!);
        Assert.Equal(["limit", "offset", "status", "category", "tag", "sort"], tasks.Keys);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"maximum":100,"minimum":1,"type":"integer","default":20}"""), tasks["limit"]), tasks["limit"].ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"minimum":0,"type":"integer","default":0}"""), tasks["offset"]), tasks["offset"].ToJsonString());
        Assert.Equal(["todo", "in_progress", "done", "archived"], tasks["status"]["enum"]!.AsArray().Select(value => value!.GetValue<string>()));
        Assert.Equal("created_at:desc", tasks["sort"]["default"]!.GetValue<string>());
        Assert.Matches(tasks["sort"]["pattern"]!.GetValue<string>(), "due_at:asc");

        foreach (var path in new[] { "/api/v1/me/audit", "/api/v1/me/results" })
        {
            Assert.Equal(["limit", "offset"], Parameters(Operation(document, "get", path), "query").Select(parameter => parameter["name"]!.GetValue<string>()));
        }

        Assert.Equal(3, Operations(document).Count(operation => Parameters(operation.Operation, "query").Any()));
    }

    [Fact]
    public async Task Conditional_idempotent_and_created_responses_document_their_headers()
    {
        var document = await DocumentAsync();
        var operations = Operations(document);

        foreach (var (method, path) in new[] { ("patch", "/api/v1/me"), ("delete", "/api/v1/me"), ("put", "/api/v1/me/tasks/{id}"), ("patch", "/api/v1/me/tasks/{id}"), ("delete", "/api/v1/me/tasks/{id}"),
            ("put", "/api/v1/admin/users/{id}/role") })
        {
            var operation = Operation(document, method, path);
            Assert.Single(Parameters(operation, "header"), parameter => parameter["name"]!.GetValue<string>() == "If-Match");
            Assert.Contains("412", Statuses(operation));
        }

        Assert.All(operations.Where(operation => operation.Method == "post"), operation =>
            Assert.Single(Parameters(operation.Operation, "header"), parameter => parameter["name"]!.GetValue<string>() == "Idempotency-Key"));
        Assert.All(operations.Where(operation => operation.Method != "post"), operation =>
            Assert.DoesNotContain(Parameters(operation.Operation, "header"), parameter => parameter["name"]!.GetValue<string>() == "Idempotency-Key"));

        foreach (var (method, path, status) in new[]
        {
            ("get", "/api/v1/me", "200"), ("patch", "/api/v1/me", "200"), ("post", "/api/v1/me/tasks", "201"), ("get", "/api/v1/me/tasks/{id}", "200"),
            ("put", "/api/v1/me/tasks/{id}", "200"), ("patch", "/api/v1/me/tasks/{id}", "200"), ("get", "/api/v1/admin/users/{id}", "200"),
            ("put", "/api/v1/admin/users/{id}/role", "200"),
        })
        {
            Assert.True(Header(Operation(document, method, path), status, "ETag")?["required"]?.GetValue<bool>(), $"{method} {path} {status} lacks ETag");
        }

        var roleStatuses = Statuses(Operation(document, "put", "/api/v1/admin/users/{id}/role")).ToList();
        Assert.All(new[] { "403", "404", "409", "412" }, status => Assert.Contains(status, roleStatuses));

        var created = operations.Where(operation => Statuses(operation.Operation).Contains("201")).Select(operation => operation.Path).ToList();
        Assert.Equal(["/api/v1/auth/register", "/api/v1/me/tasks", "/api/v1/me/results"], created);
        Assert.All(operations.Where(operation => Statuses(operation.Operation).Contains("201")), operation => Assert.NotNull(Header(operation.Operation, "201", "Location")));

        var retried = operations.SelectMany(operation => Statuses(operation.Operation).Where(status => status is "429" or "503").Select(status => (operation, status))).ToList();
        Assert.NotEmpty(retried);
        Assert.All(retried, pair => Assert.Equal(pair.operation.Path != "/health/ready", Header(pair.operation.Operation, pair.status, "Retry-After") is not null));
    }

    [Fact]
    public async Task Optional_fields_are_not_required_integers_are_integers_and_no_response_is_listed_that_never_happens()
    {
        var document = await DocumentAsync();
        var schemas = document["components"]!["schemas"]!;

        Assert.Equal(["name"], schemas["TaskRequest"]!["required"]!.AsArray().Select(name => name!.GetValue<string>()));
        Assert.Equal("string", schemas["TaskRequest"]!["properties"]!["name"]!["type"]!.GetValue<string>());
        Assert.Null(schemas["TaskMetadataRequest"]!["required"]);
        Assert.Equal(["email", "password"], schemas["RegisterRequest"]!["required"]!.AsArray().Select(name => name!.GetValue<string>()));
        Assert.Equal("integer", schemas["Pagination"]!["properties"]!["total"]!["type"]!.GetValue<string>());
        Assert.Equal("date-time", schemas["TaskView"]!["properties"]!["due_at"]!["format"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/TaskView", schemas["EnvelopeOfTaskView"]!["properties"]!["data"]!["$ref"]!.GetValue<string>());

        // Numbers are never documented as strings too (the web serializer defaults accept both).
        var numbersAsStrings = Descendants(document).OfType<JsonArray>()
            .Where(types => types.All(type => type is JsonValue) && types.Select(type => type!.ToString()).Intersect(["integer", "number"]).Any() && types.Any(type => type!.ToString() == "string"))
            .ToList();
        Assert.Empty(numbersAsStrings);

        // A task is created or refused: never 200.
        Assert.Equal(["201"], Statuses(Operation(document, "post", "/api/v1/me/tasks")).Where(status => status[0] == '2'));
        Assert.Equal(["201", "200"], Statuses(Operation(document, "post", "/api/v1/me/results")).Where(status => status[0] == '2'));
        Assert.Equal(["204"], Statuses(Operation(document, "delete", "/api/v1/me/tasks/{id}")).Where(status => status[0] == '2'));
        Assert.Null(document["paths"]!["/api/v1/admin/dashboard/snapshot"]);
    }

    [Fact]
    public async Task A_typescript_client_generated_from_the_document_type_checks_the_frontend_flow_and_the_lint_passes()
    {
        using var served = await fixture.Api.Client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        served.EnsureSuccessStatusCode();

        using var client = await TypeScriptClient.BuildAsync(await served.Content.ReadAsStringAsync());
        var lint = await client.LintAsync();

        Assert.True(File.Exists(client.CompiledFlow), client.Output);
        Assert.Contains("export async function runFlow", await File.ReadAllTextAsync(client.CompiledFlow), StringComparison.Ordinal);
        Assert.Contains("Your API description is valid", lint, StringComparison.Ordinal);
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node) => node switch
    {
        JsonObject obj => obj.Select(property => property.Value).OfType<JsonNode>().SelectMany(child => Descendants(child).Prepend(child)),
        JsonArray array => array.OfType<JsonNode>().SelectMany(child => Descendants(child).Prepend(child)),
        _ => [],
    };
}
