using Orleans;
using Microsoft.AspNetCore.Http.HttpResults;
using UserData.Gateway.Http;
using UserData.Gateway.Json;
using UserData.Gateway.OpenApi;
using UserData.Grains.Common;
using UserData.Grains.Errors;
using UserData.Grains.Tasks;

namespace UserData.Gateway.Api;

/// <summary>/api/v1/me/tasks.</summary>
public static class TasksApi
{
    private const int MaxTaskIdLength = 64;

    public static RouteGroupBuilder MapTasksApi(this RouteGroupBuilder me)
    {
        ArgumentNullException.ThrowIfNull(me);
        var tasks = me.MapGroup("/tasks").WithTags("Tasks");
        tasks.MapPost("/", CreateAsync).WithName("createTask").Accepts<Grains.Requests.TaskRequest>("application/json")
            .WithSummary("Create a task")
            .WithParameters(IdempotencyKeys.Parameter).WithResponseHeader(ETags.Header)
            .ProducesErrors(ErrorCodes.DuplicateName, ErrorCodes.TaskLimitExceeded, ErrorCodes.QuotaExceeded, ErrorCodes.IdempotencyKeyReused);
        tasks.MapGet("/", ListAsync).WithName("listTasks").WithSummary("List tasks").WithParameters(QueryParameters.TaskList);
        tasks.MapGet("/{id}", GetAsync).WithName("getTask").WithSummary("Read a task").WithResponseHeader(ETags.Header).ProducesErrors(ErrorCodes.NotFound);
        tasks.MapPut("/{id}", ReplaceAsync).WithName("replaceTask").Accepts<Grains.Requests.TaskRequest>("application/json")
            .WithSummary("Replace a task")
            .WithDescription("A full replace: optional fields left out are cleared.")
            .WithParameters(ETags.IfMatchParameter).WithResponseHeader(ETags.Header)
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.DuplicateName, ErrorCodes.PreconditionFailed, ErrorCodes.TaskLimitExceeded);
        tasks.MapPatch("/{id}", PatchAsync).WithName("patchTask").Accepts<Grains.Requests.PatchTaskRequest>("application/json")
            .WithSummary("Change some fields of a task")
            .WithDescription("Fields left out stay as they are; null clears `description`, `due_at` and `metadata`.")
            .WithParameters(ETags.IfMatchParameter).WithResponseHeader(ETags.Header)
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.DuplicateName, ErrorCodes.PreconditionFailed, ErrorCodes.TaskLimitExceeded);
        tasks.MapDelete("/{id}", DeleteAsync).WithName("deleteTask")
            .WithSummary("Delete a task")
            .WithDescription("Later reads answer 404 and the name is free again; the task stays in the export and the audit trail.")
            .WithParameters(ETags.IfMatchParameter)
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.PreconditionFailed);
        return me;
    }

    public static async Task<Created<Envelope<TaskView>>> CreateAsync(
        HttpContext context, IGrainFactory grains, IdempotencyKeys idempotencyKeys)
    {
        var body = await JsonBody.ReadAsync(context, ApiJsonContext.Default.TaskRequest, RequestSchemas.Task);
        var result = await ProfileApi.Me(context, grains)
            .CreateTaskAsync(body.Value, idempotencyKeys.Read(context, body.Raw), new RequestOrigin(context.TraceIdentifier));
        ETags.Set(context.Response, result.Value.Version);
        return TypedResults.Created($"/api/v1/me/tasks/{result.Value.Id}", ApiResponses.Envelope(context, result.Value));
    }

    public static async Task<Ok<ListEnvelope<TaskView>>> ListAsync(HttpContext context, IGrainFactory grains)
    {
        var query = QueryParameters.Tasks(context.Request);
        return TypedResults.Ok(ApiResponses.List(context, await ProfileApi.Me(context, grains).ListTasksAsync(query)));
    }

    public static async Task<Ok<Envelope<TaskView>>> GetAsync(HttpContext context, IGrainFactory grains, string id)
    {
        var task = await ProfileApi.Me(context, grains).GetTaskAsync(CheckId(id));
        ETags.Set(context.Response, task.Version);
        return TypedResults.Ok(ApiResponses.Envelope(context, task));
    }

    public static async Task<Ok<Envelope<TaskView>>> ReplaceAsync(HttpContext context, IGrainFactory grains, string id)
    {
        var ifMatch = ETags.IfMatch(context.Request);
        var body = await JsonBody.ReadAsync(context, ApiJsonContext.Default.TaskRequest, RequestSchemas.Task);
        var task = await ProfileApi.Me(context, grains).ReplaceTaskAsync(CheckId(id), body.Value, ifMatch, new RequestOrigin(context.TraceIdentifier));
        ETags.Set(context.Response, task.Version);
        return TypedResults.Ok(ApiResponses.Envelope(context, task));
    }

    public static async Task<Ok<Envelope<TaskView>>> PatchAsync(HttpContext context, IGrainFactory grains, string id)
    {
        var ifMatch = ETags.IfMatch(context.Request);
        var body = await JsonBody.ReadAsync(context, ApiJsonContext.Default.PatchTaskRequest, RequestSchemas.Task);
        var task = await ProfileApi.Me(context, grains).PatchTaskAsync(CheckId(id), body.Value, ifMatch, new RequestOrigin(context.TraceIdentifier));
        ETags.Set(context.Response, task.Version);
        return TypedResults.Ok(ApiResponses.Envelope(context, task));
    }

    public static async Task<NoContent> DeleteAsync(HttpContext context, IGrainFactory grains, string id)
    {
        await ProfileApi.Me(context, grains).DeleteTaskAsync(CheckId(id), ETags.IfMatch(context.Request), new RequestOrigin(context.TraceIdentifier));
        return TypedResults.NoContent();
    }

    private static string CheckId(string id) => id.Length <= MaxTaskIdLength ? id : throw new NotFoundException("Task not found");
}
