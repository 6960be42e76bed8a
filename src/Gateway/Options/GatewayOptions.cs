namespace UserData.Gateway.Options;

/// <summary>Emails that get the admin role at registration (configuration section <c>Bootstrap</c>).</summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "Bootstrap";

    /// <summary>Comma-separated, as an environment variable allows (<c>Bootstrap__AdminEmails</c>).</summary>
    public string AdminEmails { get; set; } = string.Empty;

    public bool IsAdmin(string normalizedEmail) =>
        AdminEmails.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(email => string.Equals(email, normalizedEmail, StringComparison.OrdinalIgnoreCase));
}
