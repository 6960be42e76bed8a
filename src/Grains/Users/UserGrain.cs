using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using UserData.Grains.Audit;
using UserData.Grains.Common;
using UserData.Grains.Errors;
using UserData.Grains.Patching;
using UserData.Grains.Requests;
using UserData.Grains.Results;
using UserData.Grains.Tasks;
using UserData.Grains.Validation;
using UserData.Runtime.Journal;

namespace UserData.Grains.Users;

/// <summary>
/// The user's actor. Each command checks against <see cref="JournaledGrain{TState,TEvent}.State"/>, then raises
/// its events; it reads nothing but the state, the arguments and the clock, so the runtime may re-run it from
/// scratch on a fresh activation after a stale append.
/// </summary>
public sealed class UserGrain(TimeProvider time) : JournaledGrain<UserState, UserEvent>, IUserGrain
{
    private const int JournalPage = 1_000;
    private static readonly TaskRequestValidator TaskValidator = new();
    private static readonly PatchTaskRequestValidator PatchValidator = new();
    private static readonly UpdateProfileRequestValidator ProfileValidator = new();
    private static readonly PageQueryValidator PageValidator = new();
    private static readonly TaskListQueryValidator TaskListValidator = new();

    public async Task<UserProfile> RegisterAsync(NewUser user, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(request);
        if (user.UserId != GrainId.Key)
        {
            throw new ArgumentException($"Registration for {user.UserId} sent to user {GrainId.Key}.", nameof(user));
        }

        if (State.Erased)
        {
            throw new UserNotFoundException();
        }

        if (State.UserId is null)
        {
            await RaiseAsync(new UserRegistered(user.UserId, user.Email, user.PasswordHash, user.DisplayName, user.Role), request, Clock.Now(time));
        }
        else if (!string.Equals(State.Email, user.Email, StringComparison.Ordinal))
        {
            throw new EmailTakenException($"User {GrainId.Key} is registered with another email.");
        }

        return Profile();
    }

    public Task<string?> GetRegisteredEmailAsync() => Task.FromResult(State.IsRegistered ? State.Email : null);

    public async Task<bool> SettleClaimAsync(RequestContext request)
    {
        if (State.IsRegistered)
        {
            return true;
        }

        if (!State.Erased)
        {
            await RaiseAsync(new RegistrationAbandoned(), request, Clock.Now(time));
        }

        return false;
    }

    public Task<UserCredentials?> GetCredentialsAsync() =>
        Task.FromResult(State.IsRegistered ? new UserCredentials(State.UserId!, State.Email!, State.Role, State.PasswordHash!) : null);

    public Task<UserProfile> GetProfileAsync()
    {
        RequireUser();
        return Task.FromResult(Profile());
    }

    public async Task<UserProfile> UpdateProfileAsync(UpdateProfileRequest change, long? ifMatch, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(change);
        RequireUser();
        Validate(ProfileValidator.Check(change));
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
        AddAttributeChanges(changes, State.Attributes, attributes);
        await RaiseAsync(new ProfileUpdated(displayName, attributes, changes), request, Clock.Now(time));
        return Profile();
    }

    public async Task<string> EraseAsync(long? ifMatch, RequestContext request)
    {
        RequireUser();
        CheckVersion(ifMatch, State.ProfileVersion);
        var email = State.Email!;
        await RaiseAsync(new UserErased(), request, Clock.Now(time));

        // The right to erasure: nothing of the profile, tasks, results or sessions stays in storage.
        await EraseHistoryAsync();
        return email;
    }

    public async Task<UserExport> ExportAsync()
    {
        RequireUser();
        var profile = Profile();
        var tasks = State.Tasks.ToList();
        var results = State.Results.AsEnumerable().Reverse().ToList();
        var audit = await ReadAuditAsync();
        audit.Reverse();
        return new UserExport(profile, tasks, results, audit);
    }

    public async Task<CommandResult<IssuedSession>> StartSessionAsync(SessionGrant grant, IdempotencyKey? idempotency, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(grant);
        RequireUser();
        var now = Clock.Now(time);
        if (Replay(idempotency, now, DomainJsonContext.Default.IssuedSession) is { } replay)
        {
            return replay;
        }

        var session = new IssuedSession(Profile(), grant.FamilyId, grant.AccessTokenId, now, now + grant.RefreshLifetime);
        await RaiseAsync(
            [new SessionStarted(grant.FamilyId, grant.RefreshTokenHash, session.RefreshExpiresAt), .. Remember(idempotency, "start_session", true, session, DomainJsonContext.Default.IssuedSession)],
            request, now);
        return new CommandResult<IssuedSession>(session, Created: true);
    }

    public async Task<CommandResult<IssuedSession>> RefreshSessionAsync(string secret, SessionGrant next, IdempotencyKey? idempotency, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(next);
        RequireUser();
        var now = Clock.Now(time);
        var family = State.Sessions.Find(session => session.FamilyId == next.FamilyId);
        if (Recorded(idempotency, now) is not null)
        {
            // A replay presents the token the first call rotated, which is dead since: it gets no tokens, whoever sends
            // it, and revokes the family exactly as the same request without the key would.
            await RevokeForReuseAsync(family, request, now);
            throw new InvalidRefreshTokenException("The refresh token was already used; its session is revoked");
        }

        if (family is null || !family.IsUsable(now))
        {
            throw new InvalidRefreshTokenException();
        }

        if (!RefreshTokens.Matches(secret, family.TokenHash))
        {
            // An earlier token of the chain came back: someone holds a copy. End the whole chain.
            await RevokeForReuseAsync(family, request, now);
            throw new InvalidRefreshTokenException("The refresh token was already used; its session is revoked");
        }

        var session = new IssuedSession(Profile(), next.FamilyId, next.AccessTokenId, now, now + next.RefreshLifetime);
        await RaiseAsync(
            [new SessionRotated(next.FamilyId, next.RefreshTokenHash, session.RefreshExpiresAt), .. Remember(idempotency, "refresh_session", false, session, DomainJsonContext.Default.IssuedSession)],
            request, now);
        return new CommandResult<IssuedSession>(session, Created: false);
    }

    public async Task RevokeSessionAsync(string familyId, string secret, IdempotencyKey? idempotency, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(secret);
        RequireUser();
        var now = Clock.Now(time);
        if (Recorded(idempotency, now) is not null)
        {
            return;
        }

        var family = State.Sessions.Find(session => session.FamilyId == familyId);
        List<UserEvent> events = [.. Remember(idempotency, "revoke_session", false, familyId, DomainJsonContext.Default.String)];
        if (family is { Revoked: false })
        {
            var reason = RefreshTokens.Matches(secret, family.TokenHash) ? "logout" : "reuse";
            events.Insert(0, new SessionRevoked(familyId, reason));
        }

        await RaiseAsync(events, request, now);
    }

    public async Task<CommandResult<TaskView>> CreateTaskAsync(TaskRequest task, IdempotencyKey? idempotency, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(task);
        RequireUser();
        var now = Clock.Now(time);
        if (Replay(idempotency, now, DomainJsonContext.Default.TaskView) is { } replay)
        {
            return replay;
        }

        Validate(TaskValidator.Check(task));
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
        await RaiseAsync([new TaskCreated(created), .. Remember(idempotency, "create_task", true, view, DomainJsonContext.Default.TaskView)], request, now);
        return new CommandResult<TaskView>(view, Created: true);
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

    public async Task<TaskView> ReplaceTaskAsync(string taskId, TaskRequest task, long? ifMatch, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(task);
        RequireUser();
        var existing = LiveTask(taskId);
        CheckVersion(ifMatch, existing.Version);
        Validate(TaskValidator.Check(task));
        var now = Clock.Now(time);
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
        return await UpdateTaskAsync(existing, replaced, request, now);
    }

    public async Task<TaskView> PatchTaskAsync(string taskId, PatchTaskRequest change, long? ifMatch, RequestContext request)
    {
        ArgumentNullException.ThrowIfNull(change);
        RequireUser();
        var existing = LiveTask(taskId);
        CheckVersion(ifMatch, existing.Version);
        Validate(PatchValidator.Check(change));
        var now = Clock.Now(time);
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
        return await UpdateTaskAsync(existing, patched, request, now);
    }

    public async Task DeleteTaskAsync(string taskId, long? ifMatch, RequestContext request)
    {
        RequireUser();
        var existing = LiveTask(taskId);
        CheckVersion(ifMatch, existing.Version);
        await RaiseAsync(new TaskDeleted(existing.Id), request, Clock.Now(time));
    }

    public async Task<CommandResult<GeneratedResult>> GenerateResultAsync(IdempotencyKey? idempotency, RequestContext request)
    {
        RequireUser();
        var now = Clock.Now(time);
        if (Replay(idempotency, now, DomainJsonContext.Default.GeneratedResult) is { } replay)
        {
            return replay;
        }

        var existing = State.Results.FindLast(result => result.DataVersion == State.DataVersion);
        var outcome = existing is null
            ? new CommandResult<GeneratedResult>(
                new GeneratedResult(Guid.CreateVersion7(now).ToString(), State.DataVersion, now, ResultGenerator.Summarize(State.Tasks, now)),
                Created: true)
            : new CommandResult<GeneratedResult>(existing, Created: false);
        var remembered = Remember(idempotency, "generate_result", outcome.Created, outcome.Value, DomainJsonContext.Default.GeneratedResult);
        UserEvent[] events = existing is null ? [new ResultGenerated(outcome.Value), .. remembered] : remembered;
        await RaiseAsync(events, request, now);
        return outcome;
    }

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

    public async Task<Page<AuditEntry>> ListAuditAsync(PageQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        RequireUser();
        Validate(PageValidator.Check(query));
        if (State.AppliedEvents != Version)
        {
            // Restored from a snapshot older than the audit marks: only a full read knows the entries.
            var audit = await ReadAuditAsync();
            audit.Reverse();
            return Page<AuditEntry>.Of(audit, audit.Count, query.Limit, query.Offset);
        }

        var total = (int)State.AuditCount;
        var newest = total - 1 - query.Offset;
        var oldest = Math.Max(0, total - query.Offset - query.Limit);
        var entries = newest < oldest ? [] : await ReadAuditRangeAsync(oldest, newest);
        entries.Reverse();
        return new Page<AuditEntry>(entries, query.Limit, query.Offset, total);
    }

    private async Task<TaskView> UpdateTaskAsync(TaskItem existing, TaskItem updated, RequestContext request, DateTimeOffset now)
    {
        TaskRules.EnsureAllowed(State.Tasks, updated);
        await RaiseAsync(new TaskUpdated(updated, AuditChanges.Between(existing, updated)), request, now);
        return TaskView.From(updated);
    }

    private Task RaiseAsync(UserEvent @event, RequestContext request, DateTimeOffset now) => RaiseAsync([@event], request, now);

    private Task RaiseAsync(IReadOnlyList<UserEvent> events, RequestContext request, DateTimeOffset now) =>
        events.Count == 0 ? Task.CompletedTask : RaiseEventsAsync(events.Select(@event => @event with { At = now, RequestId = request.RequestId }).ToList());

    private async Task<List<AuditEntry>> ReadAuditAsync()
    {
        var entries = new List<AuditEntry>();
        long after = 0;
        while (true)
        {
            var page = await ReadJournalAsync(after, JournalPage);
            foreach (var entry in page)
            {
                if (AuditChanges.ToEntry(entry.Seq, entry.Event) is { } audit)
                {
                    entries.Add(audit);
                }

                after = entry.Seq;
            }

            // The journal may hold events newer than this activation's state only if it is stale; stop at ours.
            if (page.Count < JournalPage || after >= Version)
            {
                return entries.Where(entry => entry.Seq <= Version).ToList();
            }
        }
    }

    /// <summary>
    /// The audit entries with ordinals <paramref name="oldest"/>..<paramref name="newest"/> (0 = the first entry), oldest
    /// first: read from the mark at or before <paramref name="oldest"/>, so at most a mark interval more than the page.
    /// </summary>
    private async Task<List<AuditEntry>> ReadAuditRangeAsync(int oldest, int newest)
    {
        var mark = oldest / UserState.AuditMarkInterval;
        var ordinal = mark * UserState.AuditMarkInterval;
        var after = State.AuditMarks[mark] - 1;
        var entries = new List<AuditEntry>(newest - oldest + 1);
        while (ordinal <= newest && after < Version)
        {
            var page = await ReadJournalAsync(after, Math.Min(JournalPage, newest - ordinal + 1));
            if (page.Count == 0)
            {
                break;
            }

            foreach (var entry in page)
            {
                after = entry.Seq;
                if (entry.Seq > Version || ordinal > newest)
                {
                    break;
                }

                if (AuditChanges.ToEntry(entry.Seq, entry.Event) is { } audit)
                {
                    if (ordinal >= oldest)
                    {
                        entries.Add(audit);
                    }

                    ordinal++;
                }
            }
        }

        return entries;
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

    private async Task RevokeForReuseAsync(SessionFamily? family, RequestContext request, DateTimeOffset now)
    {
        if (family is { Revoked: false })
        {
            await RaiseAsync(new SessionRevoked(family.FamilyId, "reuse"), request, now);
        }
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

    /// <summary>One audit change per top-level attribute that was added, removed or changed.</summary>
    private static void AddAttributeChanges(IDictionary<string, FieldChange> changes, JsonElement before, JsonElement after)
    {
        var names = before.EnumerateObject().Select(property => property.Name)
            .Union(after.EnumerateObject().Select(property => property.Name), StringComparer.Ordinal);
        foreach (var name in names)
        {
            JsonElement? old = before.TryGetProperty(name, out var oldValue) ? oldValue : null;
            JsonElement? @new = after.TryGetProperty(name, out var newValue) ? newValue : null;
            AuditChanges.Add(changes, $"attributes.{name}", old, @new);
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static TaskState ParseStatus(string? status) => TaskStates.TryParse(status, out var parsed) ? parsed : TaskState.Todo;

    private static TaskMetadata Metadata(TaskMetadataRequest? metadata) =>
        metadata is null ? TaskMetadata.Empty : new TaskMetadata(metadata.Category, metadata.Tags?.Select(TextRules.IdentityKey).ToList() ?? []);

    private UserProfile Profile() =>
        new(State.UserId!, State.Email!, State.DisplayName, State.Role, State.Attributes, State.ProfileVersion, State.CreatedAt, State.UpdatedAt);
}
