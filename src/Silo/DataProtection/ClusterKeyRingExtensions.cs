using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace UserData.Silo.DataProtection;

/// <summary>ASP.NET Core Data Protection with its key ring in the cluster, shared by every process of a deployment.</summary>
public static class ClusterKeyRingExtensions
{
    /// <summary>
    /// The Data Protection application name: payloads protected by one process are readable by every other process of
    /// the deployment, wherever each is installed (by default the name is the content root path).
    /// </summary>
    public const string ApplicationName = "UserData";

    /// <summary>
    /// Keeps the Data Protection key ring in the key ring grain, so that every gateway of a deployment protects and
    /// unprotects with the same keys (a dashboard sign-in cookie or antiforgery token issued by one is accepted by the
    /// others) and the keys survive restarts. Call it after the silo or the cluster client is added.
    /// </summary>
    public static IServiceCollection AddClusterKeyRing(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(
            options => options.XmlRepository = new ClusterXmlRepository(provider.GetRequiredService<IGrainFactory>(), ApplicationName)));

        // Hosted services start in registration order, and Data Protection's, added by the first AddDataProtection call
        // (AddAuthentication makes one early), loads the key ring at start: it must start after the silo or client it
        // reads the ring through, or every start would log a failed read of the key ring.
        var keyRingLoaders = services
            .Where(service => service.ServiceType == typeof(IHostedService)
                && service.ImplementationType?.Assembly == typeof(DataProtectionServiceCollectionExtensions).Assembly)
            .ToList();
        foreach (var loader in keyRingLoaders)
        {
            services.Remove(loader);
            services.Add(loader);
        }

        return services;
    }
}
