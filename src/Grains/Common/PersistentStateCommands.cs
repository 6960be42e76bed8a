using Orleans.Runtime;
using Orleans.Storage;
using UserData.Grains.Errors;

namespace UserData.Grains.Common;

/// <summary>Commands of grains that keep their state whole in grain storage (with ETags).</summary>
public static class PersistentStateCommands
{
    private const int MaxAttempts = 10;

    /// <summary>
    /// Runs <paramref name="command"/>, which reads the state and writes it. A write that finds the stored state changed
    /// since it was read (another activation of the grain wrote it: Orleans' <see cref="InconsistentStateException"/>)
    /// writes nothing; the state is then read again and the command runs again against it, so no writer's change is lost.
    /// </summary>
    public static async Task<T> RunAsync<TState, T>(this IPersistentState<TState> state, Func<Task<T>> command)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await command();
            }
            catch (InconsistentStateException exception)
            {
                if (attempt == MaxAttempts)
                {
                    throw new ConcurrentWriterException($"The state was changed by another writer {attempt} times in a row; try again.", exception);
                }

                await state.ReadStateAsync();
            }
        }
    }
}
