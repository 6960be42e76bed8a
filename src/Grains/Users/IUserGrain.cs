using UserData.Grains.Audit;
using UserData.Grains.Common;
using UserData.Grains.Requests;
using UserData.Grains.Results;
using UserData.Grains.Tasks;
using Orleans.Concurrency;

namespace UserData.Grains.Users;

/// <summary>
/// One user, keyed by user id: profile, tasks, results, refresh-token families, idempotency records and the
/// audit trail. Every method but <see cref="RegisterAsync"/> throws <see cref="Errors.UserNotFoundException"/>
/// for a user that was never registered or was erased. <c>ifMatch</c> is the version an ETag named, or null.
/// </summary>
[Alias("user")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Creates the account; repeating it with the same email returns the existing profile (registration retries).</summary>
    Task<UserProfile> RegisterAsync(NewUser user, RequestOrigin request);

    /// <summary>The email this user is registered with, or null when never registered or erased.</summary>
    [ReadOnly]
    Task<string?> GetRegisteredEmailAsync();

    /// <summary>
    /// For an email claim naming this user: true when the user is registered; otherwise kills the id (a
    /// journaled write, so an activation that has not seen a registration made elsewhere is fenced and retried
    /// rather than believed) and returns false. A registration of the id after that fails.
    /// </summary>
    Task<bool> SettleClaimAsync(RequestOrigin request);

    /// <summary>For login; null when never registered or erased (the caller answers as for an unknown email).</summary>
    [ReadOnly]
    Task<UserCredentials?> GetCredentialsAsync();

    [ReadOnly]
    Task<UserProfile> GetProfileAsync();

    Task<UserProfile> UpdateProfileAsync(UpdateProfileRequest change, long? ifMatch, RequestOrigin request);

    /// <summary>
    /// Sets the role (<see cref="Roles.User"/> or <see cref="Roles.Admin"/>), audited as <c>role.changed</c> by
    /// <paramref name="changedBy"/>; the same role again changes nothing. Only <see cref="Admins.IAdminsGrain"/> calls it:
    /// it keeps the cluster-wide set of admins and decides whether the change may remove an admin.
    /// </summary>
    Task<UserProfile> ChangeRoleAsync(string role, string changedBy, long? ifMatch, RequestOrigin request);

    /// <summary>Erases all the user's data; returns the email, which the caller then releases.</summary>
    Task<string> EraseAsync(long? ifMatch, RequestOrigin request);

    /// <summary>The start of an export (GET /me/export): everything but the tasks and the audit trail, which are read in slices.</summary>
    [ReadOnly]
    Task<UserExportHead> ExportHeadAsync();

    /// <summary>At most <paramref name="count"/> tasks (any status) from <paramref name="offset"/>, in creation order, which only appends.</summary>
    [ReadOnly]
    Task<IReadOnlyList<TaskItem>> ExportTasksAsync(int offset, int count);

    /// <summary>
    /// The audit entries with ordinals below <paramref name="before"/> (0 = the first entry ever), newest first: at most
    /// <paramref name="count"/>, within the page bytes, and none older than the history kept. Ordinals never change, so a
    /// reader can go on from the last ordinal it got while the user keeps writing.
    /// </summary>
    [ReadOnly]
    Task<IReadOnlyList<AuditEntry>> ExportAuditAsync(long before, int count);

    /// <summary>
    /// Starts a refresh-token family (a login or a registration). With an idempotency key seen before, returns the
    /// session that call issued (Replayed), whatever became of it since.
    /// </summary>
    Task<CommandResult<IssuedSession>> StartSessionAsync(SessionGrant grant, IdempotencyKey? idempotency, RequestOrigin request);

    /// <summary>
    /// Rotates the refresh token <paramref name="secret"/> of <c>next.FamilyId</c> to the one <paramref name="next"/>
    /// names. A used or revoked one revokes its family and throws <see cref="Errors.InvalidRefreshTokenException"/>.
    /// A replay (same idempotency key and request) presents a token that was rotated, so it is a reuse like any other:
    /// it revokes the family and throws; the key only makes another request under it 422 (IDEMPOTENCY_KEY_REUSED).
    /// </summary>
    Task<CommandResult<IssuedSession>> RefreshSessionAsync(string secret, SessionGrant next, IdempotencyKey? idempotency, RequestOrigin request);

    /// <summary>Logout: revokes the family of a current refresh token; an invalid token is ignored.</summary>
    Task RevokeSessionAsync(string familyId, string secret, IdempotencyKey? idempotency, RequestOrigin request);

    Task<CommandResult<TaskView>> CreateTaskAsync(TaskRequest task, IdempotencyKey? idempotency, RequestOrigin request);

    [ReadOnly]
    Task<Page<TaskView>> ListTasksAsync(TaskListQuery query);

    [ReadOnly]
    Task<TaskView> GetTaskAsync(string taskId);

    Task<TaskView> ReplaceTaskAsync(string taskId, TaskRequest task, long? ifMatch, RequestOrigin request);

    Task<TaskView> PatchTaskAsync(string taskId, PatchTaskRequest change, long? ifMatch, RequestOrigin request);

    Task DeleteTaskAsync(string taskId, long? ifMatch, RequestOrigin request);

    /// <summary>The result of the current data version: generated and stored if new (Created), else the stored one.</summary>
    Task<CommandResult<GeneratedResult>> GenerateResultAsync(IdempotencyKey? idempotency, RequestOrigin request);

    [ReadOnly]
    Task<GeneratedResult> GetLatestResultAsync();

    [ReadOnly]
    Task<Page<GeneratedResult>> ListResultsAsync(PageQuery query);

    [ReadOnly]
    Task<Page<AuditEntry>> ListAuditAsync(PageQuery query);
}

/// <summary>
/// The start of GET /me/export: the profile, the number of tasks, the results (newest first, at most
/// <see cref="UserState.KeptResults"/>) and the ordinal after the newest audit entry, from which the export reads back.
/// </summary>
[GenerateSerializer, Immutable, Alias("user-export-head")]
public sealed record UserExportHead(
    [property: Id(0)] UserProfile Profile,
    [property: Id(1)] int TaskCount,
    [property: Id(2)] IReadOnlyList<GeneratedResult> Results,
    [property: Id(3)] long AuditEnd);
