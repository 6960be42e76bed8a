namespace UserData.Grains.Requests;

/// <summary>The body of <c>PUT /admin/users/{id}/role</c>.</summary>
public sealed record ChangeRoleRequest(string? Role);
