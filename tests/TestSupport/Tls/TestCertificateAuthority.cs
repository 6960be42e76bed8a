using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace UserData.TestSupport.Tls;

/// <summary>
/// The PEM files of one process's mutual TLS (<c>Cluster__Tls__CertificatePath</c>, <c>__KeyPath</c>, <c>__CaPath</c>):
/// its certificate and key, and the CA it accepts peers from.
/// </summary>
public sealed record TlsFiles(string CertificatePath, string KeyPath, string CaPath)
{
    /// <summary>The files as the environment variables a silo or gateway process reads.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Cluster__Tls__CertificatePath"] = CertificatePath,
        ["Cluster__Tls__KeyPath"] = KeyPath,
        ["Cluster__Tls__CaPath"] = CaPath,
    };
}

/// <summary>
/// A certificate authority made in memory for one test run (ECDSA P-256, valid for a day), issuing certificates for
/// both TLS roles (server and client authentication) as PEM files, as an operator's CA would for the cluster's tasks.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly TimeSpan Validity = TimeSpan.FromDays(1);

    private readonly X509Certificate2 _certificate;
    private readonly string _folder;

    private TestCertificateAuthority(X509Certificate2 certificate, string folder, string certificatePath)
    {
        _certificate = certificate;
        _folder = folder;
        CertificatePath = certificatePath;
    }

    /// <summary>The CA's own certificate (PEM), what <c>Cluster__Tls__CaPath</c> names.</summary>
    public string CertificatePath { get; }

    /// <summary>A new self-signed CA named <paramref name="name"/>; its files are written to <paramref name="folder"/>.</summary>
    public static TestCertificateAuthority Create(string name, string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        // Outlives every certificate it issues.
        var certificate = request.CreateSelfSigned(now.AddMinutes(-10), now + Validity + Validity);
        var path = Path.Combine(folder, $"{name}.crt");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return new TestCertificateAuthority(certificate, folder, path);
    }

    /// <summary>
    /// Issues a certificate for <paramref name="name"/> (for 127.0.0.1 and localhost, although the cluster checks only
    /// the chain), writes it and its key next to the CA's, and returns the files with this CA as the one to trust.
    /// </summary>
    public TlsFiles Issue(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication"), new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(_certificate, now.AddMinutes(-5), now + Validity, RandomNumberGenerator.GetBytes(16));
        var certificatePath = Path.Combine(_folder, $"{name}.crt");
        var keyPath = Path.Combine(_folder, $"{name}.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new TlsFiles(certificatePath, keyPath, CertificatePath);
    }

    public void Dispose() => _certificate.Dispose();
}
