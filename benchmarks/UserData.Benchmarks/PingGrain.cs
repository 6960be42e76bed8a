namespace UserData.Benchmarks;

/// <summary>The smallest grain: a call does nothing but return, so what is measured is the call itself.</summary>
[Alias("ping")]
public interface IPingGrain : IGrainWithIntegerKey
{
    Task<int> PingAsync(int value);
}

public sealed class PingGrain : Grain, IPingGrain
{
    private int _calls;

    public Task<int> PingAsync(int value) => Task.FromResult(++_calls + value);
}

/// <summary>The same method on a plain object, without Orleans: the baseline.</summary>
public sealed class PlainPing
{
    private int _calls;

    public Task<int> PingAsync(int value) => Task.FromResult(++_calls + value);
}
