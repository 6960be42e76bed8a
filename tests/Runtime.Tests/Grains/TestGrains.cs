using System.Collections.Concurrent;
using UserData.Runtime.Grains;

namespace UserData.Runtime.Tests.Grains;

public interface ICounterGrain : IGrain
{
    /// <summary>A non-atomic read-modify-write with a yield in the middle: only turn-based execution keeps it exact.</summary>
    Task<int> IncrementSlowlyAsync();

    Task<int> GetAsync();

    Task RecordAsync(int value);

    Task<IReadOnlyList<int>> GetRecordedAsync();

    Task FailAsync(string message);

    Task<Guid> GetActivationIdAsync();

    Task<string?> GetCallerContextAsync();
}

public sealed class CounterGrain : Grain, ICounterGrain
{
    public static readonly AsyncLocal<string?> CallerContext = new();

    private readonly Guid _activationId = Guid.NewGuid();
    private readonly List<int> _recorded = [];
    private int _count;

    public async Task<int> IncrementSlowlyAsync()
    {
        var read = _count;
        await Task.Yield();
        _count = read + 1;
        return _count;
    }

    public Task<int> GetAsync() => Task.FromResult(_count);

    public async Task RecordAsync(int value)
    {
        await Task.Yield();
        _recorded.Add(value);
    }

    public Task<IReadOnlyList<int>> GetRecordedAsync() => Task.FromResult<IReadOnlyList<int>>([.. _recorded]);

    public Task FailAsync(string message) => throw new InvalidOperationException(message);

    public Task<Guid> GetActivationIdAsync() => Task.FromResult(_activationId);

    public Task<string?> GetCallerContextAsync() => Task.FromResult(CallerContext.Value);
}

public interface IGateGrain : IGrain
{
    /// <summary>Logs entry, waits until the test opens <paramref name="gate"/>, logs exit.</summary>
    Task PassAsync(string gate);

    [ReadOnly]
    Task ReadAsync(string gate);

    Task<int> PingAsync();
}

public sealed class GateGrain(Gates gates) : Grain, IGateGrain
{
    public Task PassAsync(string gate) => gates.PassAsync($"{GrainId.Key}:{gate}");

    public Task ReadAsync(string gate) => gates.PassAsync($"{GrainId.Key}:{gate}");

    public Task<int> PingAsync() => Task.FromResult(1);
}

/// <summary>Gates a test opens by name, with a log of entries and exits in order.</summary>
public sealed class Gates
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _entered = new();
    private readonly ConcurrentQueue<string> _log = new();

    public IReadOnlyList<string> Log => [.. _log];

    public async Task PassAsync(string name)
    {
        _log.Enqueue($"enter {name}");
        Entered(name).TrySetResult();
        await Gate(name).Task.ConfigureAwait(false);
        _log.Enqueue($"exit {name}");
    }

    public void Open(string name) => Gate(name).TrySetResult();

    public bool HasEntered(string name) => Entered(name).Task.IsCompleted;

    public Task WhenEntered(string name) => Entered(name).Task.WaitAsync(TimeSpan.FromSeconds(10));

    private TaskCompletionSource Gate(string name) => _gates.GetOrAdd(name, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    private TaskCompletionSource Entered(string name) => _entered.GetOrAdd(name, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
}

public interface ISlowActivationGrain : IGrain
{
    Task<int> PingAsync();
}

public sealed class SlowActivationGrain(Gates gates) : Grain, ISlowActivationGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken) => gates.PassAsync($"activate:{GrainId.Key}");

    public Task<int> PingAsync() => Task.FromResult(1);
}

public interface IUnregisteredGrain : IGrain
{
    Task PingAsync();
}

public interface IBadGrain : IGrain
{
    int NotATask();
}

public sealed class BadGrain : Grain, IBadGrain
{
    public int NotATask() => 0;
}
