using Orleans.Dashboard;

namespace UserData.Silo.Dashboard;

/// <summary>
/// The Orleans Dashboard's services, with its settings from the <c>Dashboard</c> configuration section: on every silo
/// (which profiles its grain calls) and on a pure gateway (which serves the page and asks the silos).
/// </summary>
public static class DashboardSetup
{
    public const string SectionName = "Dashboard";

    /// <summary>
    /// The dashboard on a silo, its profiler between <see cref="RethrowRefusalFilter"/> and <see cref="AnswerRefusalFilter"/> so that a client's mistake is
    /// not counted as a grain call's failure.
    /// </summary>
    public static ISiloBuilder AddUserDataDashboard(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddIncomingGrainCallFilter<RethrowRefusalFilter>();
        silo.AddDashboard();
        silo.AddIncomingGrainCallFilter<AnswerRefusalFilter>();
        BindOptions(silo.Services, configuration);
        silo.Services.AddOptions<GrainProfilerOptions>().Bind(configuration.GetSection($"{SectionName}:Profiler"));
        return silo;
    }

    /// <summary>The dashboard on an Orleans client (a pure gateway), which queries the silos' dashboard grains.</summary>
    public static IClientBuilder AddUserDataDashboard(this IClientBuilder client, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.AddDashboard();
        BindOptions(client.Services, configuration);
        return client;
    }

    private static void BindOptions(IServiceCollection services, IConfiguration configuration) =>
        services.AddOptions<DashboardOptions>()
            .Bind(configuration.GetSection(SectionName))
            .Validate(
                options => options.CounterUpdateIntervalMs >= 1000 && options.HistoryLength is >= 1 and <= 3600,
                "Dashboard:CounterUpdateIntervalMs (Dashboard__CounterUpdateIntervalMs) must be at least 1000 and Dashboard:HistoryLength (Dashboard__HistoryLength) 1-3600.")
            .ValidateOnStart();
}
