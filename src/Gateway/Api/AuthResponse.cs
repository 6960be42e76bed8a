using UserData.Grains.Users;

namespace UserData.Gateway.Api;

/// <summary>The answer of register, login and refresh.</summary>
public sealed record AuthResponse(UserProfile User, string AccessToken, string TokenType, int ExpiresIn, string RefreshToken);
