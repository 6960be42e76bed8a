using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;
using UserData.Silo.Configuration;

namespace UserData.Silo.Hosting;

/// <summary>
/// Mutual TLS between the cluster's processes (Orleans Connections.Security): each side presents its certificate and
/// accepts the other's only if it chains to one of the cluster's CAs. Peers are reached by IP, so names are not checked:
/// the CA issuing certificates only to the cluster's services is what admits a process. More than one CA is trusted
/// while the CA is rotated (the CA PEM is then a bundle of the old and the new).
/// </summary>
public sealed class ClusterTls
{
    private ClusterTls(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        Certificate = certificate;
        Authorities = authorities;
    }

    public X509Certificate2 Certificate { get; }

    public X509Certificate2Collection Authorities { get; }

    /// <summary>Reads the PEM files or PEM texts <see cref="ClusterTlsSettings"/> names.</summary>
    /// <exception cref="InvalidOperationException">A file is missing, or a PEM holds no certificate (key), with the settings' names.</exception>
    public static ClusterTls Load(ClusterTlsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            var certificate = X509Certificate2.CreateFromPem(
                Pem(settings.CertificatePem, settings.CertificatePath), Pem(settings.KeyPem, settings.KeyPath));
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPem(Pem(settings.CaPem, settings.CaPath));
            if (authorities.Count == 0)
            {
                throw new CryptographicException("The CA PEM holds no certificate.");
            }

            return new ClusterTls(certificate, authorities);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            // Names where each part came from, never the PEM text itself (the key is a secret).
            throw new InvalidOperationException(
                $"Cannot load the cluster's TLS certificate ({Source(settings.CertificatePem, settings.CertificatePath, "Certificate")}), its key " +
                $"({Source(settings.KeyPem, settings.KeyPath, "Key")}) or the CA ({Source(settings.CaPem, settings.CaPath, "Ca")}): {exception.Message}", exception);
        }
    }

    /// <summary>Both directions require a certificate, and only certificates issued by one of <see cref="Authorities"/> are accepted.</summary>
    public void Configure(TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LocalCertificate = Certificate;
        options.SslProtocols = System.Security.Authentication.SslProtocols.Tls12;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, _, _) => IsIssuedByAuthority(certificate);
    }

    /// <summary>Whether <paramref name="certificate"/> chains to one of the cluster's CAs (and to nothing else: the system's roots are not trusted here).</summary>
    public bool IsIssuedByAuthority(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static string Pem(string? pem, string? path) => string.IsNullOrWhiteSpace(pem) ? File.ReadAllText(path!) : pem;

    private static string Source(string? pem, string? path, string setting) =>
        string.IsNullOrWhiteSpace(pem) ? $"Cluster__Tls__{setting}Path '{path}'" : $"Cluster__Tls__{setting}Pem, {pem.Length} characters";
}
