using System.Collections.Concurrent;
using Orleans.Runtime;

namespace UserData.Providers.Tests.Clustering;

/// <summary>
/// Keeps a silo's fatal errors (such as learning that the cluster declared it dead) for the test to assert on, where Orleans'
/// own handler would end the whole test process.
/// </summary>
internal sealed class RecordingFatalErrorHandler : IFatalErrorHandler
{
    private readonly ConcurrentQueue<string> _errors = new();

    public IReadOnlyCollection<string> Errors => _errors;

    public bool IsUnexpected(Exception exception) => true;

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null) =>
        _errors.Enqueue($"{sender}: {context} {exception}");
}
