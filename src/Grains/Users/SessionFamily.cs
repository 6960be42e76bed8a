namespace UserData.Grains.Users;

/// <summary>
/// A chain of refresh tokens from one login. Only the newest token's hash is kept; presenting any older one
/// of the chain (a reuse, i.e. a likely theft) revokes the whole family.
/// </summary>
[GenerateSerializer, Immutable, Alias("session-family")]
public sealed record SessionFamily(
    [property: Id(0)] string FamilyId,
    [property: Id(1)] string TokenHash,
    [property: Id(2)] DateTimeOffset IssuedAt,
    [property: Id(3)] DateTimeOffset ExpiresAt,
    [property: Id(4)] bool Revoked = false)
{
    public bool IsUsable(DateTimeOffset now) => !Revoked && now < ExpiresAt;
}

/// <summary>A POST remembered for 24 hours under its Idempotency-Key, with the data of its first response.</summary>
[GenerateSerializer, Immutable, Alias("idempotency-record")]
public sealed record IdempotencyRecord(
    [property: Id(0)] string Key,
    [property: Id(1)] string Fingerprint,
    [property: Id(2)] string Operation,
    [property: Id(3)] bool Created,
    [property: Id(4)] System.Text.Json.JsonElement Response,
    [property: Id(5)] DateTimeOffset At);
