namespace UserData.Grains.Requests;

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName = null);

public sealed record LoginRequest(string? Email, string? Password);

/// <summary>The body of <c>/auth/refresh</c> and <c>/auth/logout</c>.</summary>
public sealed record RefreshTokenRequest(string? RefreshToken);
