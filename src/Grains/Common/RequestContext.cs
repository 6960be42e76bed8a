namespace UserData.Grains.Common;

/// <summary>What a command carries about the HTTP request that caused it: its id lands in the audit trail.</summary>
public sealed record RequestContext(string RequestId);

/// <summary>
/// An <c>Idempotency-Key</c> and a keyed fingerprint of the request it came with (never the raw body, which
/// may hold a password): the same key with the same fingerprint replays, with another it is refused.
/// </summary>
public sealed record IdempotencyKey(string Key, string Fingerprint);

/// <summary>The outcome of a create-like command: the value, and whether it was newly created (201) or already there (200).</summary>
public sealed record CommandResult<T>(T Value, bool Created, bool Replayed = false);
