using System.Text.Json;
using System.Text.Json.Serialization;
using UserData.Silo.Health;
using UserData.Gateway.Api;
using UserData.Gateway.Http;
using UserData.Grains.Audit;
using UserData.Grains.Requests;
using UserData.Grains.Results;
using UserData.Grains.Tasks;
using UserData.Grains.Users;

namespace UserData.Gateway.Json;

/// <summary>Source-generated JSON metadata of every body the API reads or writes (no reflection on the hot path).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    AllowDuplicateProperties = false,
    Converters = [typeof(TimestampJsonConverter)])]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(RefreshTokenRequest))]
[JsonSerializable(typeof(ChangeRoleRequest))]
[JsonSerializable(typeof(UpdateProfileRequest))]
[JsonSerializable(typeof(TaskRequest))]
[JsonSerializable(typeof(PatchTaskRequest))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement?))]
[JsonSerializable(typeof(DateTimeOffset?))]
[JsonSerializable(typeof(TaskMetadataRequest))]
[JsonSerializable(typeof(Envelope<AuthResponse>))]
[JsonSerializable(typeof(Envelope<UserProfile>))]
[JsonSerializable(typeof(Envelope<ClusterStatus>))]
[JsonSerializable(typeof(Envelope<ExportDocument>))]
[JsonSerializable(typeof(IReadOnlyList<GeneratedResult>))]
[JsonSerializable(typeof(Envelope<TaskView>))]
[JsonSerializable(typeof(ListEnvelope<TaskView>))]
[JsonSerializable(typeof(Envelope<GeneratedResult>))]
[JsonSerializable(typeof(ListEnvelope<GeneratedResult>))]
[JsonSerializable(typeof(ListEnvelope<AuditEntry>))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(HealthStatus))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
