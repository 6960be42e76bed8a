using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.EventSourcing;
using Orleans.Providers;
using UserData.Grains.Audit;
using UserData.Grains.Common;
using UserData.Grains.Errors;
using UserData.Grains.Patching;
using UserData.Grains.Requests;
using UserData.Grains.Results;
using UserData.Grains.Tasks;
using UserData.Grains.Validation;

namespace UserData.Grains.Users;

/// <summary>
/// The user's actor, an Orleans journaled grain on the event journal. Each command decides against the confirmed
/// <see cref="JournaledGrain{TState,TEvent}.State"/> and raises its events conditionally (<see cref="ExecuteAsync{T}"/>):
/// they are appended at the next sequence numbers only if nobody appended there first, and the command answers once
/// they are durable. If another activation of this user (a rare membership race) appended first, the journal has been
/// re-read and the command decides again against the fresh state. A decision reads nothing but the state, the
/// arguments and the clock, so deciding again is always safe.
/// </summary>
[LogConsistencyProvider(ProviderName = ProviderNames.Journal)]
public sealed partial class UserGrain(TimeProvider time, IOptions<UserQuotaOptions> quotaOptions, ILogger<UserGrain> logger)
    : JournaledGrain<UserState, UserEvent>, IUserGrain
{
    /// <summary>Events per journal read of the audit trail: a few, since one can be ~100 KB (a large attribute change).</summary>
    private const int AuditReadPage = 16;

    /// <summary>Decisions per command before giving up: each retry means another writer appended in between.</summary>
    private const int MaxCommandAttempts = 10;

    private static readonly TaskRequestValidator TaskValidator = new();
    private static readonly PatchTaskRequestValidator PatchValidator = new();
    private static readonly UpdateProfileRequestValidator ProfileValidator = new();
    private static readonly PageQueryValidator PageValidator = new();
    private static readonly TaskListQueryValidator TaskListValidator = new();

    private readonly UserQuotaOptions _quota = quotaOptions.Value;

    private string UserId => this.GetPrimaryKeyString();

    public Task<UserProfile> RegisterAsync(NewUser user, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.UserId != UserId)
        {
            throw new ArgumentException($"Registration for {user.UserId} sent to user {UserId}.", nameof(user));
        }

        return ExecuteAsync(request, _ =>
        {
            if (State.Erased)
            {
                throw new UserNotFoundException();
            }

            if (State.UserId is null)
            {
                return Decision.RaiseThen(Profile, new UserRegistered(user.UserId, user.Email, user.PasswordHash, user.DisplayName, user.Role));
            }

            return string.Equals(State.Email, user.Email, StringComparison.Ordinal)
                ? Decision.Answer(Profile())
                : throw new EmailTakenException($"User {UserId} is registered with another email.");
        });
    }

    public Task<string?> GetRegisteredEmailAsync() => Task.FromResult(State.IsRegistered ? State.Email : null);

    public Task<bool> SettleClaimAsync(RequestOrigin request) =>
        ExecuteAsync(request, _ => State.IsRegistered
            ? Decision.Answer(true)
            : State.Erased ? Decision.Answer(false) : Decision.Raise(false, new RegistrationAbandoned()));

    public Task<UserCredentials?> GetCredentialsAsync() =>
        Task.FromResult(State.IsRegistered ? new UserCredentials(State.UserId!, State.Email!, State.Role, State.PasswordHash!) : null);

    public Task<UserProfile> GetProfileAsync()
    {
        RequireUser();
        return Task.FromResult(Profile());
    }

    public Task<UserProfile> UpdateProfileAsync(UpdateProfileRequest change, long? ifMatch, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(change);
        Validate(ProfileValidator.Check(change));
        return ExecuteAsync(request, _ =>
        {
            RequireUser();
            CheckVersion(ifMatch, State.ProfileVersion);
            var displayName = change.DisplayName.IsSet ? Blank(change.DisplayName.Value) : State.DisplayName;
            var attributes = State.Attributes;
            if (change.Attributes.IsSet)
            {
                attributes = change.Attributes.Value is { } patch ? JsonMergePatch.ApplyToAttributes(State.Attributes, patch) : JsonMergePatch.EmptyObject;
                CheckAttributeLimits(attributes);
            }

            var changes = new SortedDictionary<string, FieldChange>(StringComparer.Ordinal);
            AuditChanges.Add(changes, "display_name", State.DisplayName, displayName);
            AuditChanges.AddAttributes(changes, State.Attributes, attributes);
            return Decision.RaiseThen(Profile, new ProfileUpdated(displayName, attributes, changes));
        });
    }

    public Task<UserProfile> ChangeRoleAsync(string role, string changedBy, long? ifMatch, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(changedBy);
        if (!Roles.IsRole(role))
        {
            throw new ArgumentException($"'{role}' is not a role.", nameof(role));
        }

        return ExecuteAsync(request, _ =>
        {
            RequireUser();
            CheckVersion(ifMatch, State.ProfileVersion);
            return State.Role == role ? Decision.Answer(Profile()) : Decision.RaiseThen(Profile, new RoleChanged(State.Role, role, changedBy));
        });
    }

    /// <remarks>
    /// The journal provider is configured to treat <see cref="UserErased"/> as erasing history: once it is appended,
    /// the provider stores the now-empty state as the snapshot and erases the content of every earlier event, keeping
    /// their sequence numbers, so storage holds nothing of the user and a stale activation is still fenced.
    /// </remarks>
    public Task<string> EraseAsync(long? ifMatch, RequestOrigin request) =>
        ExecuteAsync(request, _ =>
        {
            RequireUser();
            CheckVersion(ifMatch, State.ProfileVersion);
            var email = State.Email!;
            return Decision.Raise(email, new UserErased());
        });

    public Task<UserExportHead> ExportHeadAsync()
    {
        RequireUser();
        var results = State.Results.AsEnumerable().Reverse().ToList();
        return Task.FromResult(new UserExportHead(Profile(), State.Tasks.Count, results, State.AuditCount));
    }

    public Task<IReadOnlyList<TaskItem>> ExportTasksAsync(int offset, int count)
    {
        RequireUser();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return Task.FromResult<IReadOnlyList<TaskItem>>(State.Tasks.Skip(offset).Take(count).ToList());
    }

    public async Task<IReadOnlyList<AuditEntry>> ExportAuditAsync(long before, int count)
    {
        RequireUser();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var newest = Math.Min(before, State.AuditCount) - 1;
        var oldest = Math.Max(State.FirstRetainedAuditOrdinal(_quota.MaxHistoryBytes), newest - count + 1);
        return newest < oldest ? [] : await ReadAuditRangeAsync(oldest, newest);
    }

    public Task<CommandResult<IssuedSession>> StartSessionAsync(SessionGrant grant, IdempotencyKey? idempotency, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return ExecuteAsync(request, now =>
        {
            RequireUser();
            if (Replay(idempotency, now, DomainJsonContext.Default.IssuedSession) is { } replay)
            {
                return Decision.Answer(replay);
            }

            var session = new IssuedSession(Profile(), grant.FamilyId, grant.AccessTokenId, now, now + grant.RefreshLifetime);
            return Decision.Raise(
                new CommandResult<IssuedSession>(session, Created: true),
                [new SessionStarted(grant.FamilyId, grant.RefreshTokenHash, session.RefreshExpiresAt), .. Remember(idempotency, "start_session", true, session, DomainJsonContext.Default.IssuedSession)]);
        });
    }

    public Task<CommandResult<IssuedSession>> RefreshSessionAsync(string secret, SessionGrant next, IdempotencyKey? idempotency, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(next);
        return ExecuteAsync(request, now =>
        {
            RequireUser();
            var family = State.Sessions.Find(session => session.FamilyId == next.FamilyId);
            if (Recorded(idempotency, now) is not null)
            {
                // A replay presents the token the first call rotated, which is dead since: it gets no tokens, whoever
                // sends it, and revokes the family exactly as the same request without the key would.
                return RevokeForReuse<CommandResult<IssuedSession>>(family);
            }

            if (family is null || !family.IsUsable(now))
            {
                throw new InvalidRefreshTokenException();
            }

            if (!RefreshTokens.Matches(secret, family.TokenHash))
            {
                // An earlier token of the chain came back: someone holds a copy. End the whole chain.
                return RevokeForReuse<CommandResult<IssuedSession>>(family);
            }

            var session = new IssuedSession(Profile(), next.FamilyId, next.AccessTokenId, now, now + next.RefreshLifetime);
            return Decision.Raise(
                new CommandResult<IssuedSession>(session, Created: false),
                [new SessionRotated(next.FamilyId, next.RefreshTokenHash, session.RefreshExpiresAt), .. Remember(idempotency, "refresh_session", false, session, DomainJsonContext.Default.IssuedSession)]);
        });
    }

    public Task RevokeSessionAsync(string familyId, string secret, IdempotencyKey? idempotency, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return ExecuteAsync(request, now =>
        {
            RequireUser();
            if (Recorded(idempotency, now) is not null)
            {
                return Decision.Answer(true);
            }

            var family = State.Sessions.Find(session => session.FamilyId == familyId);
            List<UserEvent> events = [.. Remember(idempotency, "revoke_session", false, familyId, DomainJsonContext.Default.String)];
            if (family is { Revoked: false })
            {
                var reason = RefreshTokens.Matches(secret, family.TokenHash) ? "logout" : "reuse";
                events.Insert(0, new SessionRevoked(familyId, reason));
            }

            return Decision.Raise(true, events);
        });
    }

    public Task<CommandResult<TaskView>> CreateTaskAsync(TaskRequest task, IdempotencyKey? idempotency, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(task);
        return ExecuteAsync(request, now =>
        {
            RequireUser();
            if (Replay(idempotency, now, DomainJsonContext.Default.TaskView) is { } replay)
            {
                return Decision.Answer(replay);
            }

            Validate(TaskValidator.Check(task));
            CheckTaskQuota();
            var created = new TaskItem
            {
                Id = Guid.CreateVersion7(now).ToString(),
                Name = task.Name!.Trim(),
                Description = task.Description,
                Status = ParseStatus(task.Status),
                DueAt = task.DueAt is { } due ? Clock.Truncate(due) : null,
                Metadata = Metadata(task.Metadata),
                CreatedAt = now,
                UpdatedAt = now,
            };
            TaskRules.EnsureAllowed(State.Tasks, created);
            var view = TaskView.From(created);
            return Decision.Raise(
                new CommandResult<TaskView>(view, Created: true),
                [new TaskCreated(created), .. Remember(idempotency, "create_task", true, view, DomainJsonContext.Default.TaskView)]);
        });
    }

    public Task<Page<TaskView>> ListTasksAsync(TaskListQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireUser();
        Validate(TaskListValidator.Check(query));
        return Task.FromResult(TaskQuery.Run(State.Tasks, query));
    }

    public Task<TaskView> GetTaskAsync(string taskId)
    {
        RequireUser();
        return Task.FromResult(TaskView.From(LiveTask(taskId)));
    }

    public Task<TaskView> ReplaceTaskAsync(string taskId, TaskRequest task, long? ifMatch, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(task);
        return ExecuteAsync(request, now =>
        {
            RequireUser();
            var existing = LiveTask(taskId);
            CheckVersion(ifMatch, existing.Version);
            Validate(TaskValidator.Check(task));
            var replaced = existing with
            {
                Name = task.Name!.Trim(),
                Description = task.Description,
                Status = ParseStatus(task.Status),
                DueAt = task.DueAt is { } due ? Clock.Truncate(due) : null,
                Metadata = Metadata(task.Metadata),
                Version = existing.Version + 1,
                UpdatedAt = now,
            };
            return UpdateTask(existing, replaced);
        });
    }

    public Task<TaskView> PatchTaskAsync(string taskId, PatchTaskRequest change, long? ifMatch, RequestOrigin request)
    {
        ArgumentNullException.ThrowIfNull(change);
        return ExecuteAsync(request, now =>
        {
            RequireUser();
            var existing = LiveTask(taskId);
            CheckVersion(ifMatch, existing.Version);
            Validate(PatchValidator.Check(change));
            var patched = existing with
            {
                Name = change.Name.IsSet ? change.Name.Value!.Trim() : existing.Name,
                Description = change.Description.Or(existing.Description),
                Status = change.Status.IsSet ? ParseStatus(change.Status.Value) : existing.Status,
                DueAt = change.DueAt.IsSet ? (change.DueAt.Value is { } due ? Clock.Truncate(due) : null) : existing.DueAt,
                Metadata = change.Metadata.IsSet ? Metadata(change.Metadata.Value) : existing.Metadata,
                Version = existing.Version + 1,
                UpdatedAt = now,
            };
            return UpdateTask(existing, patched);
        });
    }

    public Task DeleteTaskAsync(string taskId, long? ifMatch, RequestOrigin request) =>
        ExecuteAsync(request, _ =>
        {
            RequireUser();
            var existing = LiveTask(taskId);
            CheckVersion(ifMatch, existing.Version);
            return Decision.Raise(true, new TaskDeleted(existing.Id));
        });

    public Task<CommandResult<GeneratedResult>> GenerateResultAsync(IdempotencyKey? idempotency, RequestOrigin request) =>
        ExecuteAsync(request, now =>
        {
            RequireUser();
            if (Replay(idempotency, now, DomainJsonContext.Default.GeneratedResult) is { } replay)
            {
                return Decision.Answer(replay);
            }

            var existing = State.Results.FindLast(result => result.DataVersion == State.DataVersion);
            var outcome = existing is null
                ? new CommandResult<GeneratedResult>(
                    new GeneratedResult(Guid.CreateVersion7(now).ToString(), State.DataVersion, now, ResultGenerator.Summarize(State.Tasks, now)),
                    Created: true)
                : new CommandResult<GeneratedResult>(existing, Created: false);
            var remembered = Remember(idempotency, "generate_result", outcome.Created, outcome.Value, DomainJsonContext.Default.GeneratedResult);
            return Decision.Raise(outcome, existing is null ? [new ResultGenerated(outcome.Value), .. remembered] : remembered);
        });

    public Task<GeneratedResult> GetLatestResultAsync()
    {
        RequireUser();
        return State.Results.Count == 0
            ? throw new NotFoundException("No result was generated yet")
            : Task.FromResult(State.Results[^1]);
    }

    public Task<Page<GeneratedResult>> ListResultsAsync(PageQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireUser();
        Validate(PageValidator.Check(query));
        var newestFirst = State.Results.AsEnumerable().Reverse();
        return Task.FromResult(Page<GeneratedResult>.Of(newestFirst, State.Results.Count, query.Limit, query.Offset));
    }

    /// <remarks>
    /// The trail starts at the oldest entry of the history kept (<see cref="UserQuotaOptions.MaxHistoryBytes"/>); a page
    /// ends early, with fewer than <c>limit</c> entries, before its JSON would pass <see cref="UserQuotaOptions.MaxAuditPageBytes"/>.
    /// </remarks>
    public async Task<Page<AuditEntry>> ListAuditAsync(PageQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireUser();
        Validate(PageValidator.Check(query));
        var first = State.FirstRetainedAuditOrdinal(_quota.MaxHistoryBytes);
        var total = (int)(State.AuditCount - first);
        var newest = State.AuditCount - 1 - query.Offset;
        var oldest = Math.Max(first, State.AuditCount - query.Offset - query.Limit);
        var entries = newest < oldest ? [] : await ReadAuditRangeAsync(oldest, newest);
        return new Page<AuditEntry>(entries, query.Limit, query.Offset, total);
    }

    protected override void TransitionState(UserState state, UserEvent @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Apply(@event);
    }

    /// <summary>
    /// Runs a command: <paramref name="decide"/> checks against the confirmed state (throwing the domain's errors) and
    /// says which events to raise and what to answer. The events, stamped with the time and the request id, are appended
    /// only at the sequence numbers after the state they were decided on; if another writer took those first, the state
    /// has been re-read and the command decides again.
    /// </summary>
    private async Task<T> ExecuteAsync<T>(RequestOrigin request, Func<DateTimeOffset, Decision<T>> decide)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var attempt = 1; ; attempt++)
        {
            var now = Clock.Now(time);
            var decision = decide(now);
            if (decision.Events.Count == 0)
            {
                return decision.Answer();
            }

            var stamped = decision.Events.Select(@event => @event with { At = now, RequestId = request.RequestId }).ToList();
            if (await RaiseConditionalEvents(stamped))
            {
                return decision.Answer();
            }

            LogWriteConflict(logger, UserId, Version, attempt);
            if (attempt == MaxCommandAttempts)
            {
                throw new ConcurrentWriterException($"User {UserId} was changed by another writer {attempt} times in a row; try again.");
            }
        }
    }

    private Decision<TaskView> UpdateTask(TaskItem existing, TaskItem updated)
    {
        TaskRules.EnsureAllowed(State.Tasks, updated);
        return Decision.Raise(TaskView.From(updated), new TaskUpdated(updated, AuditChanges.Between(existing, updated)));
    }

    /// <summary>A reused (rotated or revoked) refresh token: revoke its family, then refuse.</summary>
    private static Decision<T> RevokeForReuse<T>(SessionFamily? family)
    {
        const string Message = "The refresh token was already used; its session is revoked";
        return family is { Revoked: false }
            ? new Decision<T>([new SessionRevoked(family.FamilyId, "reuse")], () => throw new InvalidRefreshTokenException(Message))
            : throw new InvalidRefreshTokenException(Message);
    }

    /// <summary>This user's events after <paramref name="after"/>, at most <paramref name="maxCount"/>, with their sequence numbers.</summary>
    private async Task<List<(long Seq, UserEvent Event)>> ReadJournalAsync(long after, int maxCount)
    {
        var to = (int)Math.Min(Version, after + maxCount);
        if (to <= after)
        {
            return [];
        }

        var events = await RetrieveConfirmedEvents((int)after, to);
        return events.Select((@event, index) => (after + index + 1, @event)).ToList();
    }

    /// <summary>
    /// The audit entries with ordinals <paramref name="oldest"/>..<paramref name="newest"/> (0 = the first entry), newest
    /// first, as many of the newest as fit <see cref="UserQuotaOptions.MaxAuditPageBytes"/> (always one). Read from the
    /// mark at or before <paramref name="oldest"/> (at most a mark interval more than the range) a few events at a time
    /// (never more than the range's entries), dropping the oldest entries as the bytes pass the limit, so a read holds
    /// about a page's bytes whatever the range.
    /// </summary>
    private async Task<List<AuditEntry>> ReadAuditRangeAsync(long oldest, long newest)
    {
        var mark = (int)(oldest / UserState.AuditMarkInterval);
        var ordinal = (long)mark * UserState.AuditMarkInterval;
        var after = State.AuditMarks[mark] - 1;

        // Never from before the history kept: the content there may be compacted away, and the events left out.
        if (State.RetainedHistory(_quota.MaxHistoryBytes) is { } kept && kept.FirstSeq - 1 > after)
        {
            after = kept.FirstSeq - 1;
            ordinal = kept.FirstAuditOrdinal;
        }

        // No more events per read than entries asked for: an export asks for a few at a time, many exports at once.
        var pageSize = (int)Math.Min(AuditReadPage, newest - oldest + 1);
        var window = new Queue<(AuditEntry Entry, long Bytes)>();
        long bytes = 0;
        while (ordinal <= newest && after < Version)
        {
            var page = await ReadJournalAsync(after, pageSize);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var (seq, @event) in page)
            {
                after = seq;
                if (ordinal > newest)
                {
                    break;
                }

                if (AuditChanges.ToEntry(seq, @event) is { } audit)
                {
                    if (ordinal >= oldest)
                    {
                        var size = AuditChanges.JsonBytes(audit);
                        window.Enqueue((audit, size));
                        bytes += size;
                        while (window.Count > 1 && bytes > _quota.MaxAuditPageBytes)
                        {
                            bytes -= window.Dequeue().Bytes;
                        }
                    }

                    ordinal++;
                }
            }
        }

        var entries = window.Select(item => item.Entry).ToList();
        entries.Reverse();
        return entries;
    }

    /// <summary>Tasks of every status count, deleted ones too: each stays in the state.</summary>
    private void CheckTaskQuota()
    {
        if (State.Tasks.Count >= _quota.MaxTasks)
        {
            throw new QuotaExceededException([new FieldError("tasks", Issues.QuotaExceeded, $"A user may keep at most {_quota.MaxTasks} tasks, of any status, deleted ones included")]);
        }
    }

    /// <summary>The first response of an earlier request with this key, or null when the key is new (or older than 24 h).</summary>
    private CommandResult<T>? Replay<T>(IdempotencyKey? idempotency, DateTimeOffset now, JsonTypeInfo<T> typeInfo)
    {
        if (Recorded(idempotency, now) is not { } record)
        {
            return null;
        }

        var value = record.Response.Deserialize(typeInfo) ?? throw new InvalidDataException($"Idempotency record {record.Key} has no response.");
        return new CommandResult<T>(value, record.Created, Replayed: true);
    }

    /// <summary>The record of an earlier request with this key within 24 h; throws when that request was a different one.</summary>
    private IdempotencyRecord? Recorded(IdempotencyKey? idempotency, DateTimeOffset now)
    {
        if (idempotency is null)
        {
            return null;
        }

        var record = State.IdempotencyRecords.Find(record => record.Key == idempotency.Key && record.At > now - UserState.IdempotencyWindow);
        return record is not null && record.Fingerprint != idempotency.Fingerprint ? throw new IdempotencyKeyReusedException() : record;
    }

    private static UserEvent[] Remember<T>(IdempotencyKey? idempotency, string operation, bool created, T response, JsonTypeInfo<T> typeInfo) =>
        idempotency is null
            ? []
            : [new IdempotencyRecorded(new IdempotencyRecord(idempotency.Key, idempotency.Fingerprint, operation, created, JsonSerializer.SerializeToElement(response, typeInfo), default))];

    private void RequireUser()
    {
        if (!State.IsRegistered)
        {
            throw new UserNotFoundException();
        }
    }

    private TaskItem LiveTask(string taskId) =>
        State.FindTask(taskId) is { IsDeleted: false } task ? task : throw new NotFoundException("Task not found");

    private static void CheckVersion(long? ifMatch, long current)
    {
        if (ifMatch is { } expected && expected != current)
        {
            throw new PreconditionFailedException($"The resource is at version {current}, not {expected}");
        }
    }

    private static void Validate(IReadOnlyList<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw new DomainValidationException(errors);
        }
    }

    private static void CheckAttributeLimits(JsonElement attributes)
    {
        if (JsonMergePatch.SerializedBytes(attributes) > JsonMergePatch.MaxAttributesBytes)
        {
            throw new DomainValidationException([new FieldError("attributes", Issues.TooLarge, $"Attributes must be at most {JsonMergePatch.MaxAttributesBytes} bytes serialized")]);
        }

        if (JsonMergePatch.Depth(attributes) > JsonMergePatch.MaxAttributesDepth)
        {
            throw new DomainValidationException([new FieldError("attributes", Issues.TooDeep, $"Attributes must nest at most {JsonMergePatch.MaxAttributesDepth} levels deep")]);
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static TaskState ParseStatus(string? status) => TaskStates.TryParse(status, out var parsed) ? parsed : TaskState.Todo;

    private static TaskMetadata Metadata(TaskMetadataRequest? metadata) =>
        metadata is null ? TaskMetadata.Empty : new TaskMetadata(metadata.Category, metadata.Tags?.Select(TextRules.IdentityKey).ToList() ?? []);

    private UserProfile Profile() =>
        new(State.UserId!, State.Email!, State.DisplayName, State.Role, State.Attributes, State.ProfileVersion, State.CreatedAt, State.UpdatedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserId}: another writer appended at version {Version}; deciding again (attempt {Attempt})")]
    private static partial void LogWriteConflict(ILogger logger, string userId, int version, int attempt);
}
