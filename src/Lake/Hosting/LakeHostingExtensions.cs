using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UserData.Lake.Configuration;
using UserData.Lake.Export;
using UserData.Lake.Storage;
using UserData.Providers.ChangeFeed;

namespace UserData.Lake.Hosting;

/// <summary>Registers the lake's worker in a host; the silo host calls it when <c>Lake__Enabled=true</c>.</summary>
public static class LakeHostingExtensions
{
    /// <summary>
    /// Adds the export worker (a hosted service) reading <paramref name="createFeed"/>'s feed with its checkpoints in
    /// <paramref name="createCheckpoints"/>'s store, writing to the folder or bucket of <c>Lake:*</c>, whose settings are
    /// validated when the host starts.
    /// </summary>
    public static IServiceCollection AddUserDataLake(
        this IServiceCollection services,
        IConfiguration configuration,
        Func<IServiceProvider, IChangeFeed> createFeed,
        Func<IServiceProvider, IChangeFeedCheckpoints> createCheckpoints)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LakeOptions>().Bind(configuration.GetSection(LakeOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LakeOptions>, LakeOptionsValidator>();
        services.AddHostedService(provider => new LakeWorker(
            createFeed(provider),
            createCheckpoints(provider),
            LakeStorageFactory.Create(provider.GetRequiredService<IOptions<LakeOptions>>().Value),
            provider.GetRequiredService<IOptions<LakeOptions>>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        return services;
    }
}
