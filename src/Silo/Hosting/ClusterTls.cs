using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;
using UserData.Silo.Configuration;

namespace UserData.Silo.Hosting;

/// <summary>
/// Mutual TLS between the cluster's processes (Orleans Connections.Security): each side presents its certificate and
/// accepts the other's only if it chains to the cluster's CA. Peers are reached by IP, so names are not checked: the CA
/// issuing certificates only to the cluster's services is what admits a process.
/// </summary>
public sealed class ClusterTls
{
    private ClusterTls(X509Certificate2 certificate, X509Certificate2 authority)
    {
        Certificate = certificate;
        Authority = authority;
    }

    public X509Certificate2 Certificate { get; }

    public X509Certificate2 Authority { get; }

    /// <summary>Reads the PEM files <see cref="ClusterTlsSettings"/> names.</summary>
    /// <exception cref="InvalidOperationException">A file is missing or not a certificate (key), with the setting's name.</exception>
    public static ClusterTls Load(ClusterTlsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(settings.CertificatePath!, settings.KeyPath);
            var authority = X509CertificateLoader.LoadCertificateFromFile(settings.CaPath!);
            return new ClusterTls(certificate, authority);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"Cannot load the cluster's TLS files (Cluster__Tls__CertificatePath '{settings.CertificatePath}', Cluster__Tls__KeyPath " +
                $"'{settings.KeyPath}', Cluster__Tls__CaPath '{settings.CaPath}'): {exception.Message}", exception);
        }
    }

    /// <summary>Both directions require a certificate, and only certificates issued by <see cref="Authority"/> are accepted.</summary>
    public void Configure(TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LocalCertificate = Certificate;
        options.SslProtocols = System.Security.Authentication.SslProtocols.Tls12;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, _, _) => IsIssuedByAuthority(certificate);
    }

    /// <summary>Whether <paramref name="certificate"/> chains to the cluster's CA (and to nothing else: the system's roots are not trusted here).</summary>
    public bool IsIssuedByAuthority(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
