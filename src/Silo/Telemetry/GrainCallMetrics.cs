using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Orleans.Runtime;
using UserData.Grains.Errors;

namespace UserData.Silo.Telemetry;

/// <summary>
/// Every grain call this silo runs, timed by grain type, method and outcome (an Orleans incoming call filter on the meter
/// <see cref="MeterName"/>): <c>ok</c>, <c>rejected</c> when the grain refused the request by the domain's rules (a
/// client's mistake, such as a missing task: not a server error), or <c>error</c>.
/// </summary>
public sealed class GrainCallMetrics : IIncomingGrainCallFilter
{
    public const string MeterName = "UserData.Silo";

    private readonly Histogram<double> _duration;

    // A grain type's name is decoded from its id's bytes by every ToString: decoded once per type instead of per call.
    private readonly ConcurrentDictionary<GrainType, string> _typeNames = new();

    public GrainCallMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _duration = meterFactory.Create(MeterName).CreateHistogram<double>(
            "userdata.grain.call.duration", "s", "Grain calls by grain type, method and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5] });
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            await context.Invoke();
            outcome = "ok";
        }
        catch (DomainException)
        {
            outcome = "rejected";
            throw;
        }
        finally
        {
            _duration.Record(
                Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("grain_type", _typeNames.GetOrAdd(context.TargetId.Type, static type => type.ToString())),
                new KeyValuePair<string, object?>("method", context.MethodName),
                new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
