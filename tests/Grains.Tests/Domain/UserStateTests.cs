using UserData.Providers.Journal;
using System.Text.Json;
using UserData.Grains.Audit;
using UserData.Grains.Patching;
using UserData.Grains.Results;
using UserData.Grains.Tasks;
using UserData.Grains.Users;

namespace UserData.Grains.Tests.Domain;

public class UserStateTests
{
    /// <summary>How the journal stores events and snapshots (the provider's default: readable snake_case JSON).</summary>
    private static readonly JsonSerializerOptions StorageJson = EventJournalJson.CreateDefaultOptions();

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<UserEvent> History()
    {
        var task = new TaskItem { Id = "t1", Name = "One", CreatedAt = T0, UpdatedAt = T0, Metadata = new TaskMetadata("c", ["x"]) };
        var attributes = JsonDocument.Parse("""{"theme":"dark"}""").RootElement.Clone();
        return
        [
            new UserRegistered("u1", "a@b.com", "HASH", "Ann", Roles.User) { At = T0, RequestId = "r1" },
            new ProfileUpdated("Ann B", attributes, new Dictionary<string, FieldChange>()) { At = T0.AddSeconds(1), RequestId = "r2" },
            new TaskCreated(task) { At = T0.AddSeconds(2), RequestId = "r3" },
            new TaskUpdated(task with { Status = TaskState.Done, Version = 2 }, AuditChanges.Between(task, task with { Status = TaskState.Done })) { At = T0.AddSeconds(3) },
            new ResultGenerated(new GeneratedResult("r", 4, T0.AddSeconds(4), ResultGenerator.Summarize([task], T0))) { At = T0.AddSeconds(4) },
            new SessionStarted("f1", "h1", T0.AddDays(30)) { At = T0.AddSeconds(5) },
            new SessionRotated("f1", "h2", T0.AddDays(31)) { At = T0.AddSeconds(6) },
            new TaskDeleted("t1") { At = T0.AddSeconds(7) },
        ];
    }

    [Fact]
    public void Events_round_trip_through_the_journal_json_with_their_action_names()
    {
        foreach (var @event in History())
        {
            var json = JsonSerializer.Serialize(@event, StorageJson);
            var back = JsonSerializer.Deserialize<UserEvent>(json, StorageJson)!;

            Assert.Equal(@event.GetType(), back.GetType());
            Assert.Equal(json, JsonSerializer.Serialize(back, StorageJson));
        }

        Assert.StartsWith("""{"type":"task.created",""", JsonSerializer.Serialize<UserEvent>(History()[2], StorageJson), StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_of_the_json_journal_rebuilds_the_same_state_as_the_live_fold()
    {
        var live = new UserState();
        var replayed = new UserState();
        foreach (var @event in History())
        {
            live.Apply(@event);
            replayed.Apply(JsonSerializer.Deserialize<UserEvent>(JsonSerializer.Serialize(@event, StorageJson), StorageJson)!);
        }

        var snapshot = JsonSerializer.Serialize(live, StorageJson);
        Assert.Equal(snapshot, JsonSerializer.Serialize(replayed, StorageJson));
        var restored = JsonSerializer.Deserialize<UserState>(snapshot, StorageJson)!;
        Assert.Equal(snapshot, JsonSerializer.Serialize(restored, StorageJson));

        Assert.Equal(5, live.DataVersion);
        Assert.Equal(2, live.ProfileVersion);
        Assert.True(live.Tasks.Single().IsDeleted);
        Assert.Equal("h2", live.Sessions.Single().TokenHash);
    }

    [Fact]
    public void Erase_forgets_everything_about_the_user()
    {
        var state = new UserState();
        History().ForEach(state.Apply);

        state.Apply(new UserErased { At = T0.AddDays(1) });

        Assert.False(state.IsRegistered);
        Assert.Null(state.Email);
        Assert.Null(state.PasswordHash);
        Assert.Empty(state.Tasks);
        Assert.Empty(state.Results);
        Assert.Empty(state.Sessions);
        Assert.Equal(JsonMergePatch.EmptyObject.GetRawText(), state.Attributes.GetRawText());
    }

    [Fact]
    public void Keeps_the_last_50_results()
    {
        var state = new UserState();
        for (var i = 1; i <= 60; i++)
        {
            state.Apply(new ResultGenerated(new GeneratedResult($"r{i}", i, T0, ResultGenerator.Summarize([], T0))) { At = T0 });
        }

        Assert.Equal(50, state.Results.Count);
        Assert.Equal("r11", state.Results[0].Id);
        Assert.Equal("r60", state.Results[^1].Id);
    }

    [Fact]
    public void Audit_entries_never_show_the_password_hash_or_session_secrets()
    {
        var entries = History().Select((@event, index) => AuditChanges.ToEntry(index + 1, @event)).OfType<AuditEntry>().ToList();
        var json = JsonSerializer.Serialize(entries, StorageJson);

        Assert.DoesNotContain("HASH", json, StringComparison.Ordinal);
        Assert.DoesNotContain("h1", json, StringComparison.Ordinal);
        Assert.Equal(["user.registered", "profile.updated", "task.created", "task.updated", "result.generated", "task.deleted"], entries.Select(entry => entry.Action));
        var updated = entries.Single(entry => entry.Action == "task.updated");
        Assert.Equal("todo", updated.Changes["status"].Old!.Value.GetString());
        Assert.Equal("done", updated.Changes["status"].New!.Value.GetString());
    }

    [Fact]
    public void The_generated_journal_contracts_write_exactly_the_json_of_the_reflection_serializer()
    {
        var events = History().Concat(
        [
            new IdempotencyRecorded(new IdempotencyRecord("k", "fp", "create_task", true, JsonDocument.Parse("""{"id":"t1"}""").RootElement.Clone(), T0)) { At = T0.AddSeconds(8) },
            new SessionRevoked("f1", "logout") { At = T0.AddSeconds(9) },
            new RoleChanged(Roles.User, Roles.Admin, "bootstrap") { At = T0.AddSeconds(10), RequestId = "r\u00EB" },
            new UserErased { At = T0.AddSeconds(11) },
            new RegistrationAbandoned { At = T0.AddSeconds(12) },
        ]).ToList();
        var state = new UserState();
        foreach (var @event in events)
        {
            Assert.Equal(JsonSerializer.Serialize(@event, StorageJson), JsonSerializer.Serialize(@event, UserEventJson.Options));
            state.Apply(@event);
            Assert.Equal(JsonSerializer.Serialize(state, StorageJson), JsonSerializer.Serialize(state, UserEventJson.Options));
        }

        var folded = new UserState();
        foreach (var @event in History())
        {
            folded.Apply(@event);
        }

        Assert.Equal(JsonSerializer.Serialize(folded, StorageJson), JsonSerializer.Serialize(folded, UserEventJson.Options));
    }

    [Fact]
    public void Journal_rows_and_snapshots_written_by_the_reflection_serializer_read_back_unchanged()
    {
        // Rows as the journal held them before its contracts were generated (written by EventJournalJson's defaults).
        string[] rows =
        [
            """{"type":"task.updated","task":{"id":"01a22e2c-29c0-7566-afa7-f4f0fba382d2","name":"task 2 renamed","description":"Description of task 1","status":"archived","metadata":{"category":"category 1","tags":["tag1","label1"]},"version":2,"created_at":"2026-11-30T20:36:15.9020981+00:00","updated_at":"2026-11-30T20:36:15.9070981+00:00"},"changes":{"name":{"old":"task 1","new":"task 2 renamed"}},"at":"2026-11-30T20:36:15.9070981+00:00","request_id":"benchmark-request"}""",
            """{"type":"profile.updated","display_name":"Zo\u00EB","attributes":{"theme":"dark"},"changes":{"display_name":{"old":"Ada 3","new":"Zo\u00EB"}},"at":"2026-11-30T20:36:15.9120981+00:00","request_id":"benchmark-request"}""",
        ];
        foreach (var row in rows)
        {
            var @event = JsonSerializer.Deserialize(row, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<UserEvent>)UserEventJson.Options.GetTypeInfo(typeof(UserEvent)))!;
            Assert.Equal(row, JsonSerializer.Serialize(@event, UserEventJson.Options));
        }

        var state = new UserState();
        History().ForEach(state.Apply);
        var snapshot = JsonSerializer.Serialize(state, StorageJson);
        Assert.Equal(snapshot, JsonSerializer.Serialize(JsonSerializer.Deserialize<UserState>(snapshot, UserEventJson.Options), UserEventJson.Options));
    }

    [Fact]
    public void Replay_counts_the_history_at_the_sizes_the_journal_read_and_the_live_fold_agrees()
    {
        var live = new UserState();
        var replayed = new UserState();
        foreach (var @event in History())
        {
            live.Apply(@event);
            var stored = JsonSerializer.SerializeToUtf8Bytes(@event, StorageJson);
            var read = JsonSerializer.Deserialize<UserEvent>(stored, UserEventJson.Options)!;
            UserEventJson.RememberJournalSize(read, stored.Length);
            replayed.Apply(read);
        }

        Assert.Equal(History().Sum(@event => JsonSerializer.SerializeToUtf8Bytes(@event, StorageJson).LongLength), live.HistorySegments.Single().Bytes);
        Assert.Equal(live.HistorySegments, replayed.HistorySegments);

        // The size the journal reports is the one counted: nothing serializes the event again.
        var reported = new UserState();
        var registration = History()[0];
        UserEventJson.RememberJournalSize(registration, 12_345);
        reported.Apply(registration);
        Assert.Equal(12_345, reported.HistorySegments.Single().Bytes);
    }
}
