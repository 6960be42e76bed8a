using Orleans;
using Microsoft.AspNetCore.Http.HttpResults;
using UserData.Gateway.Http;
using UserData.Gateway.Json;
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
        tasks.MapPost("/", CreateAsync).Accepts<Grains.Requests.TaskRequest>("application/json");
        tasks.MapGet("/", ListAsync);
        tasks.MapGet("/{id}", GetAsync);
        tasks.MapPut("/{id}", ReplaceAsync).Accepts<Grains.Requests.TaskRequest>("application/json");
        tasks.MapPatch("/{id}", PatchAsync).Accepts<Grains.Requests.PatchTaskRequest>("application/json");
        tasks.MapDelete("/{id}", DeleteAsync);
        return me;
    }

    public static async Task<Results<Created<Envelope<TaskView>>, Ok<Envelope<TaskView>>>> CreateAsync(
        HttpContext context, IGrainFactory grains, IdempotencyKeys idempotencyKeys)
    {
        var body = await JsonBody.ReadAsync(context, ApiJsonContext.Default.TaskRequest, RequestSchemas.Task, Validators.Task);
        var result = await ProfileApi.Me(context, grains)
            .CreateTaskAsync(body.Value, idempotencyKeys.Read(context, body.Raw), new RequestOrigin(context.TraceIdentifier));
        ETags.Set(context.Response, result.Value.Version);
        var envelope = ApiResponses.Envelope(context, result.Value);
        return result.Created ? TypedResults.Created($"/api/v1/me/tasks/{result.Value.Id}", envelope) : TypedResults.Ok(envelope);
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
        var body = await JsonBody.ReadAsync(context, ApiJsonContext.Default.TaskRequest, RequestSchemas.Task, Validators.Task);
        var task = await ProfileApi.Me(context, grains).ReplaceTaskAsync(CheckId(id), body.Value, ifMatch, new RequestOrigin(context.TraceIdentifier));
        ETags.Set(context.Response, task.Version);
        return TypedResults.Ok(ApiResponses.Envelope(context, task));
    }

    public static async Task<Ok<Envelope<TaskView>>> PatchAsync(HttpContext context, IGrainFactory grains, string id)
    {
        var ifMatch = ETags.IfMatch(context.Request);
        var body = await JsonBody.ReadAsync(context, ApiJsonContext.Default.PatchTaskRequest, RequestSchemas.Task, Validators.PatchTask);
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
