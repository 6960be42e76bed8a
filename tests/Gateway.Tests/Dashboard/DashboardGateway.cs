using UserData.Gateway.Tests.Support;

namespace UserData.Gateway.Tests.Dashboard;

/// <summary>A gateway on SQLite with one admin (an email of <c>Bootstrap:AdminEmails</c>) registered for the class's tests.</summary>
public sealed class DashboardGateway : GatewayFixture
{
    public const string AdminEmail = "admin@example.com";

    /// <summary>Given the admin role too; for tests that erase an admin.</summary>
    public const string SecondAdminEmail = "operator@example.com";

    public Session Admin { get; private set; } = null!;

    public override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(GatewayHost.BaseSettings(DataFolder));

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Admin = await Api.RegisterAsync(AdminEmail);
    }
}
