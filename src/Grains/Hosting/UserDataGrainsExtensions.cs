using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using UserData.Grains.Emails;
using UserData.Grains.Identities;
using UserData.Grains.Users;
using UserData.Grains.Validation;
using UserData.Runtime.Hosting;

namespace UserData.Grains.Hosting;

/// <summary>The domain's grains and what they need, registered the same way by every host (gateway, silo).</summary>
public static class UserDataGrainsExtensions
{
    public static GrainRuntimeBuilder AddUserDataGrains(this GrainRuntimeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Emails and tags are compared in NFKC form: a process that cannot normalize must not serve them.
        TextRules.EnsureNormalizationWorks();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder
            .AddGrain<IUserGrain, UserGrain>()
            .AddGrain<IEmailGrain, EmailGrain>()
            .AddGrain<IExternalIdentityGrain, ExternalIdentityGrain>();
    }
}
