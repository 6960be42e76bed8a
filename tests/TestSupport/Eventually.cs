using System.Diagnostics;

namespace UserData.TestSupport;

/// <summary>Waits for a condition with a deadline instead of sleeping and hoping.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(30);

    public static async Task TrueAsync(Func<bool> condition, TimeSpan? deadline = null, string? because = null)
    {
        await TrueAsync(() => Task.FromResult(condition()), deadline, because).ConfigureAwait(false);
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? deadline = null, string? because = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = deadline ?? DefaultDeadline;
        var clock = Stopwatch.StartNew();
        while (!await condition().ConfigureAwait(false))
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"Condition not met within {limit.TotalSeconds:0.#} s{(because is null ? "" : ": " + because)}.");
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }
}
