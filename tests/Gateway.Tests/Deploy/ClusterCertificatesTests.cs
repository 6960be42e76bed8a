using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using UserData.Silo.Configuration;
using UserData.Silo.Hosting;

namespace UserData.Gateway.Tests.Deploy;

/// <summary>
/// The cluster's certificates as the stack hands them to a task: PEM text in <c>Cluster__Tls__*Pem</c> environment variables
/// (ECS injects them from Secrets Manager), the CA a bundle of the old and the new one while the CA is rotated.
/// </summary>
public sealed class ClusterCertificatesTests
{
    [Fact]
    public void Pem_text_from_the_environment_loads_and_admits_only_certificates_of_the_clusters_ca()
    {
        using var authority = Authority("cluster CA");
        using var stranger = Authority("another CA");
        using var silo = Issue(authority, "silo");
        using var outsider = Issue(stranger, "outsider");

        var tls = ClusterTls.Load(Settings(silo, authority.ExportCertificatePem()));

        Assert.Equal(silo.Thumbprint, tls.Certificate.Thumbprint);
        Assert.True(tls.Certificate.HasPrivateKey);
        Assert.True(tls.IsIssuedByAuthority(silo));
        Assert.False(tls.IsIssuedByAuthority(outsider));
    }

    [Fact]
    public void While_the_ca_is_rotated_a_bundle_of_both_cas_admits_certificates_of_either()
    {
        using var old = Authority("cluster CA 2025");
        using var next = Authority("cluster CA 2026");
        using var stranger = Authority("another CA");
        using var oldGateway = Issue(old, "gateway");
        using var newSilo = Issue(next, "silo");
        using var outsider = Issue(stranger, "outsider");

        var tls = ClusterTls.Load(Settings(newSilo, old.ExportCertificatePem() + "\n" + next.ExportCertificatePem()));

        Assert.Equal(2, tls.Authorities.Count);
        Assert.True(tls.IsIssuedByAuthority(oldGateway));
        Assert.True(tls.IsIssuedByAuthority(newSilo));
        Assert.False(tls.IsIssuedByAuthority(outsider));
    }

    [Fact]
    public void A_ca_pem_without_a_certificate_stops_the_start_naming_the_setting_and_never_showing_the_key()
    {
        using var authority = Authority("cluster CA");
        using var silo = Issue(authority, "silo");
        var settings = Settings(silo, "not a certificate");

        var error = Assert.Throws<InvalidOperationException>(() => ClusterTls.Load(settings));

        Assert.Contains("Cluster__Tls__CaPem", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(settings.KeyPem!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_and_pem_text_for_the_same_part_are_refused_at_start()
    {
        using var authority = Authority("cluster CA");
        using var silo = Issue(authority, "silo");
        var settings = Settings(silo, authority.ExportCertificatePem());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:Provider"] = "DynamoDB",
            ["Cluster:Tls:CertificatePem"] = settings.CertificatePem,
            ["Cluster:Tls:KeyPem"] = settings.KeyPem,
            ["Cluster:Tls:CaPem"] = settings.CaPem,
            ["Cluster:Tls:CaPath"] = "/run/secrets/ca.pem",
        }).Build();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddConfiguration(configuration);

        var error = Assert.Throws<OptionsValidationException>(builder.AddUserDataClusterClient);

        Assert.Contains("Cluster__Tls__CaPath or Cluster__Tls__CaPem", error.Message, StringComparison.Ordinal);
    }

    private static ClusterTlsSettings Settings(X509Certificate2 certificate, string caPem)
    {
        using var key = certificate.GetECDsaPrivateKey()!;
        return new ClusterTlsSettings
        {
            CertificatePem = certificate.ExportCertificatePem(),
            KeyPem = key.ExportPkcs8PrivateKeyPem(),
            CaPem = caPem,
        };
    }

    private static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, critical: true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }
}
