using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using UserData.JournalWriter;
using UserData.Runtime.Diagnostics;
using UserData.Runtime.Hosting;
using UserData.Runtime.Storage;
using UserData.Runtime.Testing;
using UserData.Runtime.Tests.Grains;
using UserData.TestSupport;

namespace UserData.Runtime.Tests.Diagnostics;

public sealed class RuntimeMetricsTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Grain_calls_are_timed_by_grain_type_method_and_outcome()
    {
        await using var cluster = await StartAsync();
        using var recorder = new Recorder(cluster.Silos[0]);
        var counter = cluster.GrainFactory.GetGrain<ICounterGrain>("a");

        await counter.IncrementSlowlyAsync();
        await counter.GetAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => counter.FailAsync("boom"));

        var calls = recorder.Measurements("grain.call.duration");
        Assert.Contains(calls, call => call.Is("grain_type", "counter") && call.Is("method", "IncrementSlowlyAsync") && call.Is("outcome", "ok"));
        Assert.Contains(calls, call => call.Is("method", "GetAsync") && call.Is("outcome", "ok"));
        Assert.Contains(calls, call => call.Is("method", "FailAsync") && call.Is("outcome", "error"));
        Assert.All(calls, call => Assert.InRange(call.Value, 0, 30));
    }

    [Fact]
    public async Task Activations_and_queue_lengths_are_read_by_grain_type_when_collected()
    {
        await using var cluster = await StartAsync();
        using var recorder = new Recorder(cluster.Silos[0]);
        var gates = cluster.Silos[0].Services.GetRequiredService<Gates>();
        await cluster.GrainFactory.GetGrain<ICounterGrain>("a").GetAsync();
        await cluster.GrainFactory.GetGrain<ICounterGrain>("b").GetAsync();
        var gate = cluster.GrainFactory.GetGrain<IGateGrain>("g");
        var running = gate.PassAsync("first");
        await gates.WhenEntered("g:first");
        var queued = new[] { gate.PingAsync(), gate.PingAsync() };

        var observed = recorder.Observe();

        Assert.Contains(observed, m => m.Instrument == "grain.activations" && m.Is("grain_type", "counter") && m.Value == 2);
        Assert.Contains(observed, m => m.Instrument == "grain.activations" && m.Is("grain_type", "gate") && m.Value == 1);
        Assert.Contains(observed, m => m.Instrument == "grain.queue.length" && m.Is("grain_type", "gate") && m.Value == 2);
        gates.Open("g:first");
        await running;
        await Task.WhenAll(queued);
        Assert.Contains(recorder.Observe(), m => m.Instrument == "grain.queue.length" && m.Is("grain_type", "gate") && m.Value == 0);
    }

    [Fact]
    public async Task Storage_operations_are_timed_by_provider_operation_and_outcome()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Sqlite:Path"] = _folder.File("journal.db") })
            .Build();
        await using var cluster = await TestCluster.StartAsync(1, services =>
        {
            services.AddJournalStorage(configuration);
            new GrainRuntimeBuilder(services).AddGrain<ITallyGrain, TallyGrain>();
        });
        using var recorder = new Recorder(cluster.Silos[0]);
        var tally = cluster.GrainFactory.GetGrain<ITallyGrain>("t");

        await tally.AddAsync("x");
        await tally.DeactivateAsync();
        await Eventually.TrueAsync(() => cluster.Silos[0].ActivationCount == 0);

        var operations = recorder.Measurements("storage.operation.duration");
        foreach (var operation in new[] { "read_snapshot", "read", "append", "write_snapshot" })
        {
            Assert.Contains(operations, m => m.Is("provider", "sqlite") && m.Is("operation", operation) && m.Is("outcome", "ok"));
        }
    }

    private static Task<TestCluster> StartAsync() =>
        TestCluster.StartAsync(1, services =>
        {
            services.AddSingleton<Gates>();
            new GrainRuntimeBuilder(services).AddGrain<ICounterGrain, CounterGrain>().AddGrain<IGateGrain, GateGrain>();
        });

    private sealed record Measured(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)
    {
        public bool Is(string key, string value) => Tags.Any(tag => tag.Key == key && Equals(tag.Value, value));
    }

    /// <summary>Records the runtime meter of one silo only (other tests' silos run in this process too).</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<Measured> _measured = new();
        private readonly ConcurrentQueue<Measured> _observed = new();

        public Recorder(TestSilo silo)
        {
            var scope = silo.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RuntimeMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Queue(instrument).Enqueue(new(instrument.Name, value, tags.ToArray())));
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Queue(instrument).Enqueue(new(instrument.Name, value, tags.ToArray())));
            _listener.Start();
        }

        public IReadOnlyList<Measured> Measurements(string instrument) => [.. _measured.Where(m => m.Instrument == instrument)];

        public IReadOnlyList<Measured> Observe()
        {
            _observed.Clear();
            _listener.RecordObservableInstruments();
            return [.. _observed];
        }

        public void Dispose() => _listener.Dispose();

        private ConcurrentQueue<Measured> Queue(Instrument instrument) => instrument.IsObservable ? _observed : _measured;
    }
}
