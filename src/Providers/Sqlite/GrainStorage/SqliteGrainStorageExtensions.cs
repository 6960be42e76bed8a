using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using UserData.Providers.GrainStorage;

namespace UserData.Providers.Sqlite.GrainStorage;

/// <summary>Registers a grain storage on a SQLite file, as Orleans' <c>Add...GrainStorage</c> methods do.</summary>
public static class SqliteGrainStorageExtensions
{
    /// <summary>Adds the grain storage <paramref name="name"/> (grains name it in <c>[PersistentState(stateName, name)]</c>) on a SQLite file.</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSqliteGrainStorage(name, configureOptions);
        return builder;
    }

    /// <inheritdoc cref="AddSqliteGrainStorage(ISiloBuilder, string, Action{SqliteGrainStorageOptions})"/>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<SqliteGrainStorageOptions>>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSqliteGrainStorage(name, configureOptions);
        return builder;
    }

    /// <inheritdoc cref="AddSqliteGrainStorage(ISiloBuilder, string, Action{SqliteGrainStorageOptions})"/>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, Action<SqliteGrainStorageOptions> configureOptions) =>
        services.AddSqliteGrainStorage(name, options => options.Configure(configureOptions));

    /// <inheritdoc cref="AddSqliteGrainStorage(ISiloBuilder, string, Action{SqliteGrainStorageOptions})"/>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, Action<OptionsBuilder<SqliteGrainStorageOptions>>? configureOptions = null) =>
        GrainStorageRegistration.Add(services, name, configureOptions, (_, options) => new SqliteGrainStorageOptionsValidator(options, name), SqliteGrainStorage.Create);
}
