using System.ComponentModel.DataAnnotations;

namespace UserData.Gateway.Dashboard;

/// <summary>The dashboard's browser sign-in (configuration section <c>Dashboard</c>, shared with Orleans' dashboard settings).</summary>
public sealed class DashboardSignInOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>How long a sign-in lasts, from the moment it was made (<c>Dashboard__SignInLifetime</c>).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SignInLifetime { get; set; } = TimeSpan.FromHours(8);
}
