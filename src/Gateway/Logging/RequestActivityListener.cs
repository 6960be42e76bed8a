using System.Diagnostics;

namespace UserData.Gateway.Logging;

/// <summary>
/// Makes ASP.NET Core start an <see cref="Activity"/> for every request (it only does so when something listens),
/// so log lines carry a W3C trace id, continuing the caller's <c>traceparent</c> when there is one.
/// </summary>
internal sealed class RequestActivityListener : IHostedService, IDisposable
{
    private const string HostingActivitySource = "Microsoft.AspNetCore";

    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == HostingActivitySource,
        Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
