using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace UserData.Providers.GrainStorage;

/// <summary>
/// Gives a grain storage without a serializer of its own the one registered under its name (as Orleans' providers
/// do), otherwise Orleans' System.Text.Json grain storage serializer. Orleans' silo-wide default is a Newtonsoft JSON
/// serializer that writes type metadata into the state; these providers store plain, readable JSON text.
/// </summary>
internal sealed class SystemTextJsonSerializerByDefault<TOptions>(IServiceProvider services) : IPostConfigureOptions<TOptions>
    where TOptions : class, IStorageProviderSerializerOptions
{
    public void PostConfigure(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.GrainStorageSerializer is not null)
        {
            return;
        }

        options.GrainStorageSerializer = (name is null ? null : services.GetKeyedService<IGrainStorageSerializer>(name))
            ?? ActivatorUtilities.CreateInstance<SystemTextJsonGrainStorageSerializer>(services);
    }
}
