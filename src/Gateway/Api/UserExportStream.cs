using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using UserData.Gateway.Http;
using UserData.Grains.Audit;
using UserData.Grains.Results;
using UserData.Grains.Tasks;
using UserData.Grains.Users;

namespace UserData.Gateway.Api;

/// <summary>The document GET /me/export answers: <c>{"data": {"profile", "tasks", "results", "audit"}, "meta"}</c>.</summary>
public sealed record ExportDocument(UserProfile Profile, IReadOnlyList<TaskItem> Tasks, IReadOnlyList<GeneratedResult> Results, IReadOnlyList<AuditEntry> Audit);

/// <summary>
/// Writes the export document while reading it from the user grain in slices, so neither the silo nor the gateway ever
/// holds more than a slice: the tasks in creation order, then the audit trail newest first, each slice flushed to the
/// client before the next is asked for. The slices are read at different moments: a change made during the export
/// may show in the tasks or the audit read after it, never half of one.
/// </summary>
public static class UserExportStream
{
    /// <summary>Tasks per grain call: a task is at most a few KB.</summary>
    public const int TaskSlice = 100;

    /// <summary>Audit entries per grain call: an entry can be ~64 KB (a large attribute change shows old and new).</summary>
    public const int AuditSlice = 4;

    public static async Task WriteAsync(HttpContext context, IUserGrain user, IOptions<JsonOptions> jsonOptions)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(jsonOptions);

        // Read before anything is written, so that an unknown user or a busy silo still gets an error response.
        var head = await user.ExportHeadAsync();
        var json = jsonOptions.Value.SerializerOptions;
        var cancel = context.RequestAborted;
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = context.Response.BodyWriter;

        // On the response's pipe: the serializer's own flushes only hand bytes to the pipe, which is sent at FlushAsync.
        await using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = json.Encoder, Indented = json.WriteIndented });
        async Task SendAsync()
        {
            writer.Flush();
            await body.FlushAsync(cancel);
        }


        writer.WriteStartObject();
        writer.WritePropertyName(Name(json, nameof(Envelope<ExportDocument>.Data)));
        writer.WriteStartObject();
        writer.WritePropertyName(Name(json, nameof(ExportDocument.Profile)));
        JsonSerializer.Serialize(writer, head.Profile, TypeInfo<UserProfile>(json));

        writer.WritePropertyName(Name(json, nameof(ExportDocument.Tasks)));
        writer.WriteStartArray();
        for (var offset = 0; offset < head.TaskCount; offset += TaskSlice)
        {
            var tasks = await user.ExportTasksAsync(offset, TaskSlice);
            foreach (var task in tasks)
            {
                JsonSerializer.Serialize(writer, task, TypeInfo<TaskItem>(json));
            }

            await SendAsync();
            if (tasks.Count < TaskSlice)
            {
                break;
            }
        }

        writer.WriteEndArray();
        writer.WritePropertyName(Name(json, nameof(ExportDocument.Results)));
        JsonSerializer.Serialize(writer, head.Results, TypeInfo<IReadOnlyList<GeneratedResult>>(json));

        writer.WritePropertyName(Name(json, nameof(ExportDocument.Audit)));
        writer.WriteStartArray();
        for (var before = head.AuditEnd; before > 0;)
        {
            var entries = await user.ExportAuditAsync(before, AuditSlice);
            if (entries.Count == 0)
            {
                break;
            }

            foreach (var entry in entries)
            {
                JsonSerializer.Serialize(writer, entry, TypeInfo<AuditEntry>(json));
            }

            await SendAsync();
            before -= entries.Count;
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WritePropertyName(Name(json, nameof(Envelope<ExportDocument>.Meta)));
        JsonSerializer.Serialize(writer, ApiResponses.Meta(context), TypeInfo<Meta>(json));
        writer.WriteEndObject();
        await SendAsync();
    }

    private static string Name(JsonSerializerOptions json, string property) => json.PropertyNamingPolicy?.ConvertName(property) ?? property;

    private static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions json) => (JsonTypeInfo<T>)json.GetTypeInfo(typeof(T));
}
