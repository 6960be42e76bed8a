using System.ComponentModel.DataAnnotations;

namespace UserData.Silo.Configuration;

public enum ClusterProvider
{
    /// <summary>One silo on this machine: Orleans' localhost clustering, no membership table.</summary>
    Localhost,

    /// <summary>Membership in the DynamoDB table <c>{Storage:DynamoDB:TablePrefix}membership</c>, mutual TLS between processes.</summary>
    DynamoDB,
}

/// <summary>The cluster this process belongs to (configuration section <c>Cluster</c>; <c>Cluster:Membership</c> binds Orleans' ClusterMembershipOptions).</summary>
public sealed class ClusterSettings : IValidatableObject
{
    public const string SectionName = "Cluster";

    public ClusterProvider Provider { get; set; } = ClusterProvider.Localhost;

    [Required]
    [RegularExpression("^[A-Za-z0-9_.-]{1,128}$", ErrorMessage = "Cluster:ClusterId must be 1-128 letters, digits, '_', '.' or '-'.")]
    public string ClusterId { get; set; } = "dev";

    [Required]
    [RegularExpression("^[A-Za-z0-9_.-]{1,128}$", ErrorMessage = "Cluster:ServiceId must be 1-128 letters, digits, '_', '.' or '-'.")]
    public string ServiceId { get; set; } = "userdata";

    /// <summary>Orleans' silo-to-silo port.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans' client-to-silo (gateway) port, where pure gateways connect.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other processes reach this one at; detected when empty (ECS task metadata, else the first local IPv4).</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>How long the ECS task metadata endpoint may take to answer when detecting the advertised address.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public ClusterTlsSettings Tls { get; set; } = new();

    public ClusterRepartitioningSettings Repartitioning { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == ClusterProvider.DynamoDB && !Tls.IsConfigured)
        {
            yield return new ValidationResult(
                "Cluster:Provider=DynamoDB needs mutual TLS between the cluster's processes: set Cluster__Tls__CertificatePath, " +
                "Cluster__Tls__KeyPath (this process's certificate and key, PEM) and Cluster__Tls__CaPath (the cluster's CA, PEM), " +
                "or in place of any of these files its PEM text in Cluster__Tls__CertificatePem, Cluster__Tls__KeyPem, Cluster__Tls__CaPem.",
                [nameof(Tls)]);
        }
    }
}

/// <summary>
/// Orleans' activation repartitioner in a DynamoDB cluster (<c>Cluster:Repartitioning</c>; the section's other keys bind
/// Orleans' <c>ActivationRepartitionerOptions</c>). A pure gateway sends all calls to a grain through one silo's gateway,
/// picked without regard to where the grain lives; with N silos that silo forwards (N-1)/N of them to the grain's silo
/// over a second TLS hop. The repartitioner samples where calls come from and moves activations next to their callers,
/// so that a user's calls end on the silo they enter through. Every silo of a cluster must agree on it: silos exchange
/// activations with peers that run it too.
/// </summary>
public sealed class ClusterRepartitioningSettings
{
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// Mutual TLS on the silo and gateway ports (<c>Cluster:Tls</c>): this process's certificate and key, and the CA (or a
/// bundle of CAs, while one is rotated) every peer's certificate must chain to. Each is a PEM file (<c>...Path</c>) or
/// the PEM text itself (<c>...Pem</c>, as a secrets store injects it into an environment variable), not both.
/// </summary>
public sealed class ClusterTlsSettings : IValidatableObject
{
    public string? CertificatePath { get; set; }

    public string? KeyPath { get; set; }

    public string? CaPath { get; set; }

    public string? CertificatePem { get; set; }

    public string? KeyPem { get; set; }

    public string? CaPem { get; set; }

    public bool IsConfigured => IsSet(CertificatePath, CertificatePem) && IsSet(KeyPath, KeyPem) && IsSet(CaPath, CaPem);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (path, pem, name) in new[] { (CertificatePath, CertificatePem, "Certificate"), (KeyPath, KeyPem, "Key"), (CaPath, CaPem, "Ca") })
        {
            if (!string.IsNullOrWhiteSpace(path) && !string.IsNullOrWhiteSpace(pem))
            {
                yield return new ValidationResult(
                    $"Set either Cluster__Tls__{name}Path or Cluster__Tls__{name}Pem, not both.", [$"{name}Path", $"{name}Pem"]);
            }
        }
    }

    private static bool IsSet(string? path, string? pem) => !string.IsNullOrWhiteSpace(path) || !string.IsNullOrWhiteSpace(pem);
}
