using System.ComponentModel.DataAnnotations;
using System.Net;
using UserData.Grains.Validation;

namespace UserData.Gateway.Options;

/// <summary>Emails that get the admin role at registration (configuration section <c>Bootstrap</c>).</summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "Bootstrap";

    /// <summary>Comma-separated, as an environment variable allows (<c>Bootstrap__AdminEmails</c>).</summary>
    public string AdminEmails { get; set; } = string.Empty;

    public bool IsAdmin(string normalizedEmail) =>
        AdminEmails.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Any(email => string.Equals(ValidationRules.NormalizeEmail(email), normalizedEmail, StringComparison.Ordinal));
}

/// <summary>The gateway's place in the network (configuration section <c>Gateway</c>).</summary>
public sealed class GatewayOptions : IValidatableObject
{
    public const string SectionName = "Gateway";

    /// <summary>Run a silo in this process (the default); false makes the gateway an Orleans client of the cluster's silos.</summary>
    public bool CoHostSilo { get; set; } = true;

    /// <summary>
    /// Comma-separated CIDRs of the proxies in front of the gateway (the load balancer's VPC, <c>Gateway__TrustedProxies</c>).
    /// Only a peer in one of them may name the client with <c>X-Forwarded-For</c>; anyone else's header is ignored.
    /// Empty (the default) trusts no one: the client is the connection's peer.
    /// </summary>
    public string TrustedProxies { get; set; } = string.Empty;

    public IReadOnlyList<IPNetwork> TrustedNetworks() =>
        Entries().Select(entry => IPNetwork.Parse(entry)).ToList();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var entry in Entries().Where(entry => !IPNetwork.TryParse(entry, out _)))
        {
            yield return new ValidationResult($"Gateway:TrustedProxies (Gateway__TrustedProxies): '{entry}' is not a CIDR such as 10.0.0.0/16.", [nameof(TrustedProxies)]);
        }
    }

    private string[] Entries() => TrustedProxies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
