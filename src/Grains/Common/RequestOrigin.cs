namespace UserData.Grains.Common;

/// <summary>What a command carries about the HTTP request that caused it: its id lands in the audit trail.</summary>
[GenerateSerializer, Immutable, Alias("request-origin")]
public sealed record RequestOrigin([property: Id(0)] string RequestId);

/// <summary>
/// An <c>Idempotency-Key</c> and a keyed fingerprint of the request it came with (never the raw body, which
/// may hold a password): the same key with the same fingerprint replays, with another it is refused.
/// </summary>
[GenerateSerializer, Immutable, Alias("idempotency-key")]
public sealed record IdempotencyKey([property: Id(0)] string Key, [property: Id(1)] string Fingerprint);

/// <summary>The outcome of a create-like command: the value, and whether it was newly created (201) or already there (200).</summary>
[GenerateSerializer, Immutable, Alias("command-result`1")]
public sealed record CommandResult<T>([property: Id(0)] T Value, [property: Id(1)] bool Created, [property: Id(2)] bool Replayed = false);
