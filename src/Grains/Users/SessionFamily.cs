namespace UserData.Grains.Users;

/// <summary>
/// A chain of refresh tokens from one login. Only the newest token's hash is kept; presenting any older one
/// of the chain (a reuse, i.e. a likely theft) revokes the whole family.
/// </summary>
public sealed record SessionFamily(string FamilyId, string TokenHash, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, bool Revoked = false)
{
    public bool IsUsable(DateTimeOffset now) => !Revoked && now < ExpiresAt;
}

/// <summary>A POST remembered for 24 hours under its Idempotency-Key, with the data of its first response.</summary>
public sealed record IdempotencyRecord(string Key, string Fingerprint, string Operation, bool Created, System.Text.Json.JsonElement Response, DateTimeOffset At);
